package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request or a reply goes out from the thread that sends it, plaintext and TLS alike (where the
 * sender encrypts it too): it does not wait for the node's selector thread, which may be busy.
 */
class SenderWritesTest {

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    /**
     * Node a's selector thread is held by an inline handler (as a slow one would hold it) while a
     * sends to b from another thread: b gets the message at once, well within the heartbeat's
     * timeout, not when a's selector thread is free again.
     */
    @ParameterizedTest(name = "tls = {0}")
    @ValueSource(booleans = {false, true})
    void aMessageGoesOutWhileTheSendersSelectorThreadIsBusy(boolean tls) throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        List<TcpDist> ab = nodes.connectedPair(tls);
        TcpDist a = ab.get(0);
        TcpDist b = ab.get(1);
        a.addInlineMailbox("holding", (from, p) -> {
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        b.addMailbox("inbox", (from, p) -> inbox.add(new String(p, StandardCharsets.UTF_8)));
        try {
            b.send(a.self(), "holding", new byte[1], LoopbackNodes.TIMEOUT);
            assertTrue(holding.await(10, TimeUnit.SECONDS), "a's selector thread did not take the message that holds it");
            a.send(b.self(), "inbox", "sent while held".getBytes(StandardCharsets.UTF_8), LoopbackNodes.TIMEOUT);
            String got = inbox.poll(1500, TimeUnit.MILLISECONDS);
            assertNotNull(got, "b got nothing while a's selector thread was held");
            assertEquals("sent while held", got);
        } finally {
            release.countDown();
        }
    }
}
