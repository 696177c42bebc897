package io.gencluster.bench;

import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.TcpDist;
import io.gencluster.dist.tcp.TcpDistSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The peer JVM of {@link TransportBench}: the baseline's {@link RawEcho}, a plaintext dist-tcp node
 * and a TLS one, each node with a mailbox {@code echo} that sends every message back to the
 * sender's {@code pong}, and a mailbox {@code sink} that takes messages and answers an empty one
 * (the end of a stream: messages arrive in order) with an empty message to the sender's
 * {@code done}; and the same two with inline delivery, {@code echo-inline} (answering to
 * {@code pong-inline}) and {@code sink-inline}. Prints {@code ready <raw port> <plaintext port> <TLS port>}, then runs until its
 * standard input closes or it is stopped.
 *
 * <p>Argument: the directory of {@link SelfSignedTls}'s stores.
 */
public final class TransportPeer {

    static final NodeName PLAIN = NodeName.parse("peer@127.0.0.1");
    static final NodeName SECURE = NodeName.parse("tlspeer@127.0.0.1");
    static final Duration WAIT = Duration.ofSeconds(30);

    private TransportPeer() {
    }

    public static void main(String[] args) throws Exception {
        SSLContext tls = SelfSignedTls.load(Path.of(args[0]));
        RawEcho raw = new RawEcho();
        TcpDist plain = serve(node(PLAIN, null));
        TcpDist secure = serve(node(SECURE, tls));
        System.out.println("ready " + raw.port() + " " + plain.port() + " " + secure.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the benchmark closes this JVM's standard input, or stops it
        }
        plain.close();
        secure.close();
        raw.close();
    }

    /** A started node on a free loopback port, as both JVMs of the benchmark make them. */
    static TcpDist node(NodeName name, SSLContext tls) throws IOException {
        TcpDist d = new TcpDist(TcpDistSettings.builder(name, "cookie-of-the-transport-benchmark".getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).maxFrameBytes(1 << 20).sendQueueBytes(8 << 20).transitive(false)
                .tls(tls, false)
                .busyPollMicros(Long.getLong("bench.busy.poll.us", 50)) // to compare with polling off: 0
                .build());
        d.start();
        return d;
    }

    private static TcpDist serve(TcpDist d) {
        d.addMailbox("echo", (from, p) -> answer(d, from, "pong", p));
        d.addMailbox("sink", (from, p) -> {
            if (p.length == 0) {
                answer(d, from, "done", p);
            }
        });
        d.addInlineMailbox("echo-inline", (from, p) -> answer(d, from, "pong-inline", p));
        d.addInlineMailbox("sink-inline", (from, p) -> {
            if (p.length == 0) {
                answer(d, from, "done", p);
            }
        });
        return d;
    }

    private static void answer(TcpDist d, NodeName to, String mailbox, byte[] p) {
        try {
            d.send(to, mailbox, p, WAIT);
        } catch (MessagingException e) {
            System.err.println("peer could not answer " + to + ": " + e.getMessage());
        }
    }
}
