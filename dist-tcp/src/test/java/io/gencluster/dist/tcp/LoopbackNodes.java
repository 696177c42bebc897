package io.gencluster.dist.tcp;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The dist-tcp nodes of one test, on 127.0.0.1 with free ports, one cookie, no transitive mesh;
 * every node started is closed after the test, also when it fails. Registered with
 * {@code @RegisterExtension}.
 */
final class LoopbackNodes implements AfterEachCallback {

    static final byte[] COOKIE = "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8);
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final List<TcpDist> started = new ArrayList<>();

    /** A started node {@code name@127.0.0.1} with the default settings. */
    TcpDist node(String name) throws Exception {
        return node(name, UnaryOperator.identity());
    }

    /** A started node {@code name@127.0.0.1} whose settings {@code tuned} changes from the defaults. */
    TcpDist node(String name, UnaryOperator<TcpDistSettings.Builder> tuned) throws Exception {
        TcpDist d = new TcpDist(tuned.apply(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), COOKIE)
                .bindAddress("127.0.0.1").port(0).transitive(false)).build());
        d.start();
        started.add(d);
        return d;
    }

    /**
     * Nodes a and b, connected: plaintext, or TLS with certificates from one CA both trust
     * ({@link TestCertificates#tlsIf}). For tests run both ways.
     */
    List<TcpDist> connectedPair(boolean tls) throws Exception {
        TcpDist a = node("a", TestCertificates.tlsIf(tls, "a"));
        TcpDist b = node("b", TestCertificates.tlsIf(tls, "b"));
        connect(a, b);
        return List.of(a, b);
    }

    /** {@code from} dials {@code to} and the connection is up, or this throws within 15 s. */
    static void connect(TcpDist from, TcpDist to) throws Exception {
        from.connect(Peer.of(to.self(), to.port()), TIMEOUT).toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    /**
     * A handler that holds each message until {@code release} opens (30 s at most), then gives it
     * to {@code then}: a mailbox that fills up while its thread is stuck.
     */
    static MessageHandler heldUntil(CountDownLatch release, MessageHandler then) {
        return (from, payload) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            then.message(from, payload);
        };
    }

    /**
     * A handler that sends each message back from {@code node} to mailbox {@code replyTo} of its
     * sender (an echo); a send that fails throws from the handler.
     */
    static MessageHandler sendingBack(TcpDist node, String replyTo) {
        return (from, payload) -> sendOrThrow(node, from, replyTo, payload);
    }

    /** Sends, turning a refused send into an unchecked exception, as a handler must. */
    static void sendOrThrow(TcpDist node, NodeName to, String mailbox, byte[] payload) {
        try {
            node.send(to, mailbox, payload, TIMEOUT);
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns once {@code condition} holds, polling every 5 ms; fails with {@code failure} after 10 s. */
    static void await(BooleanSupplier condition, Supplier<String> failure) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(TcpDist::close);
        started.clear();
    }
}
