package io.gencluster.dist.erlang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes that dial each other at once: node b's dial to a real node a is half way through
 * a's handshake when a's own dial reaches b, and b, which counts its dial as the connection,
 * answers {@code alive}. Node a must answer that its connection is not dead, since it is the
 * one a is accepting; said "dead", b would drop the connection a is about to admit and keep a's
 * dial instead, and the two nodes would end holding different connections. Node b is played by
 * the test, one handshake step at a time, so the order is certain.
 */
class AliveWhileAcceptingTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] COOKIE = "c".getBytes(StandardCharsets.UTF_8);
    private ErlangDist a;

    @AfterEach
    void tearDown() {
        if (a != null) {
            a.close();
        }
    }

    @Test
    void aNodeAcceptingTheOthersDialAnswersItsOwnDialsAliveWithNotDead() throws Exception {
        a = new ErlangDist(ErlangDistSettings.builder(NodeName.parse("a@127.0.0.1"), COOKIE).allowShortCookie(true)
                .bindAddress("127.0.0.1").handshakeTimeout(Duration.ofSeconds(10)).build());
        a.start();
        NodeName b = NodeName.parse("b@127.0.0.1");
        Handshake asB = new Handshake(b, COOKIE, DistFlags.ours(false), 1, new Random(3));
        CountDownLatch replyHeld = new CountDownLatch(1);
        CountDownLatch releaseReply = new CountDownLatch(1);
        try (ServerSocket bListens = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
                Socket bDials = new Socket("127.0.0.1", a.port())) {
            bListens.setSoTimeout((int) WAIT.toMillis());
            bDials.setSoTimeout((int) WAIT.toMillis());
            // b's dial: its name goes out, a answers ok and its challenge; b's reply waits
            DataOutputStream out = new DataOutputStream(new HoldSecondMessage(bDials.getOutputStream(), replyHeld, releaseReply));
            DataInputStream in = new DataInputStream(new BufferedInputStream(bDials.getInputStream()));
            CompletableFuture<Handshake.Result> bsDial = CompletableFuture.supplyAsync(() -> {
                try {
                    return asB.initiate(in, out, a.self(), () -> false);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(true, replyHeld.await(WAIT.toSeconds(), TimeUnit.SECONDS), "b's dial never got a's challenge");

            // now a dials b, and b says alive: the connection is the one a is accepting
            CompletableFuture<Void> connect = a.connect(Peer.of(b, bListens.getLocalPort()), WAIT).toCompletableFuture();
            try (Socket asDial = bListens.accept()) {
                asDial.setSoTimeout((int) WAIT.toMillis());
                DataInputStream dialIn = new DataInputStream(new BufferedInputStream(asDial.getInputStream()));
                DataOutputStream dialOut = new DataOutputStream(asDial.getOutputStream());
                SimultaneousConnectException kept = assertThrows(SimultaneousConnectException.class,
                        () -> asB.accept(dialIn, dialOut, initiator -> "alive"),
                        "a said its connection to b is dead while it was accepting b's own dial");
                assertEquals("a@127.0.0.1 keeps its existing connection", kept.getMessage());
            }

            releaseReply.countDown();
            assertEquals(a.self(), bsDial.get(WAIT.toSeconds(), TimeUnit.SECONDS).peer());
            connect.get(WAIT.toSeconds(), TimeUnit.SECONDS); // answered by b's connection
            assertEquals(Set.of(b), a.members());
        } finally {
            releaseReply.countDown();
        }
    }

    /** Sends each message on flush: the first at once, the second (the challenge reply) once released. */
    private static final class HoldSecondMessage extends OutputStream {
        private final OutputStream socket;
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();
        private final CountDownLatch held;
        private final CountDownLatch release;
        private int flushes;

        HoldSecondMessage(OutputStream socket, CountDownLatch held, CountDownLatch release) {
            this.socket = socket;
            this.held = held;
            this.release = release;
        }

        @Override
        public void write(int b) {
            message.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            message.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (++flushes == 2) {
                held.countDown();
                try {
                    if (!release.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                        throw new InterruptedIOException("never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException();
                }
            }
            message.writeTo(socket);
            message.reset();
            socket.flush();
        }
    }
}
