package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several threads streaming over one connection at once, plaintext and TLS: in plaintext a sender
 * that fills a chunk writes the full chunks itself, while other senders queue and the selector
 * thread writes what they left; over TLS the selector thread encrypts and writes the chunks while
 * the senders fill more. Every message must arrive once, intact, and in each sender's order.
 */
class ConcurrentStreamsTest {

    private static final int SENDERS = 4;
    private static final int MESSAGES = 20_000;

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    /**
     * Message {@code seq} of sender {@code sender}: mostly 1 KiB (copied into chunks), every 97th
     * 20 KiB (queued as it is, between chunks), filled with bytes derived from both numbers.
     */
    private static byte[] payload(int sender, int seq) {
        int size = seq % 97 == 96 ? 20 * 1024 : 1024;
        byte[] p = new byte[size];
        ByteBuffer.wrap(p).putInt(sender).putInt(seq);
        for (int k = 8; k < size; k++) {
            p[k] = (byte) (sender * 131 + seq * 31 + k);
        }
        return p;
    }

    @ParameterizedTest(name = "tls = {0}")
    @ValueSource(booleans = {false, true})
    void streamsFromSeveralThreadsOverOneConnectionArriveOnceIntactAndInOrder(boolean tls) throws Exception {
        List<TcpDist> ab = nodes.connectedPair(tls);
        TcpDist a = ab.get(0);
        TcpDist b = ab.get(1);
        int[] next = new int[SENDERS]; // the mailbox's one thread alone uses it
        List<String> errors = new CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(SENDERS);
        b.addMailbox("streams", (from, p) -> {
            ByteBuffer h = ByteBuffer.wrap(p);
            int sender = h.getInt();
            int seq = h.getInt();
            if (sender < 0 || sender >= SENDERS || seq != next[sender] || !Arrays.equals(p, payload(sender, seq))) {
                if (errors.size() < 5) {
                    errors.add("a message of " + p.length + " bytes claiming sender " + sender + " and number " + seq
                            + (sender >= 0 && sender < SENDERS ? " (expected number " + next[sender] + ")" : ""));
                }
                return;
            }
            if (++next[sender] == MESSAGES) {
                all.countDown();
            }
        });
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            int sender = s;
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < MESSAGES; i++) {
                        a.send(b.self(), "streams", payload(sender, i), LoopbackNodes.TIMEOUT);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "stream-sender-" + s);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertEquals(List.of(), failures);
        boolean arrived = all.await(60, TimeUnit.SECONDS);
        assertEquals(List.of(), errors);
        assertTrue(arrived, "not every stream arrived whole");
        assertTrue(a.members().contains(b.self()), "the connection stayed up");
    }
}
