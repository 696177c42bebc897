package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several threads streaming over one connection at once: a sender that fills a chunk writes the
 * full chunks itself, while other senders queue and the selector thread writes what they left.
 * Every message must arrive once, intact, and in each sender's order.
 */
class ConcurrentStreamsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int SENDERS = 4;
    private static final int MESSAGES = 20_000;
    private final List<TcpDist> started = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (TcpDist d : started) {
            d.close();
        }
    }

    private TcpDist node(String name) throws Exception {
        TcpDistSettings.Builder b = TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"),
                "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8)).bindAddress("127.0.0.1").port(0).transitive(false);
        TcpDist d = new TcpDist(b.build());
        d.start();
        started.add(d);
        return d;
    }

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

    @Test
    void streamsFromSeveralThreadsOverOneConnectionArriveOnceIntactAndInOrder() throws Exception {
        TcpDist a = node("a");
        TcpDist b = node("b");
        a.connect(Peer.of(b.self(), b.port()), TIMEOUT).toCompletableFuture().get(15, TimeUnit.SECONDS);
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
                        a.send(b.self(), "streams", payload(sender, i), TIMEOUT);
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
