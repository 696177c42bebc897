package io.gencluster.bench;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.TcpDist;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * This JVM's dist-tcp node, connected to one node of the {@link TransportPeer}: streams to its
 * {@code sink} and plays ping-pong with its {@code echo}, or with the inline mailboxes
 * {@code sink-inline} and {@code echo-inline} (answered to this node's inline {@code pong-inline}).
 */
final class DistSide implements AutoCloseable {

    private static final byte[] END = new byte[0];

    private final TcpDist node;
    private final NodeName peer;
    private volatile CountDownLatch streamed;
    private volatile Pings pings;

    /** One ping-pong trial: the round trips' times so far, and when the ping in flight left. */
    private static final class Pings {
        final long[] rtt;
        final byte[] payload;
        final CountDownLatch done = new CountDownLatch(1);
        int next;
        long sentAt;
        volatile Exception failure;

        Pings(byte[] payload, int count) {
            this.payload = payload;
            this.rtt = new long[count];
        }
    }

    DistSide(NodeName self, SSLContext tls, NodeName peer, int peerPort) throws Exception {
        this.peer = peer;
        node = TransportPeer.node(self, tls);
        node.addMailbox("done", (from, p) -> streamed.countDown());
        node.addMailbox("pong", (from, p) -> pong("echo"));
        node.addInlineMailbox("pong-inline", (from, p) -> pong("echo-inline"));
        node.connect(Peer.of(peer, peerPort), TransportPeer.WAIT).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Messages per second: {@code count} messages and an empty one, until the peer's answer to that one arrives. */
    double stream(byte[] payload, int count, boolean inline) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        streamed = done;
        String sink = inline ? "sink-inline" : "sink";
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            node.send(peer, sink, payload, TransportPeer.WAIT);
        }
        node.send(peer, sink, END, TransportPeer.WAIT);
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the end of a stream of " + count + " messages did not arrive in 120 s");
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Round trips' times in nanoseconds, taken where the reply arrives: the pong handler takes the
     * time and sends the next ping, as the baseline's thread reads its socket and writes again.
     * (Handing each reply to a waiting benchmark thread would add a wake-up of the benchmark's, not
     * of the transport's, to every round trip.)
     */
    long[] ping(byte[] payload, int count, boolean inline) throws Exception {
        Pings p = new Pings(payload, count);
        pings = p;
        p.sentAt = System.nanoTime();
        node.send(peer, inline ? "echo-inline" : "echo", payload, TransportPeer.WAIT);
        if (!p.done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + p.next + " of " + count + " round trips done in 120 s");
        }
        if (p.failure != null) {
            throw p.failure;
        }
        return p.rtt;
    }

    private void pong(String echo) {
        Pings p = pings;
        long now = System.nanoTime();
        p.rtt[p.next++] = now - p.sentAt;
        if (p.next == p.rtt.length) {
            p.done.countDown();
            return;
        }
        try {
            p.sentAt = System.nanoTime();
            node.send(peer, echo, p.payload, TransportPeer.WAIT);
        } catch (Exception e) {
            p.failure = e;
            p.done.countDown();
        }
    }

    @Override
    public void close() {
        node.close();
    }
}
