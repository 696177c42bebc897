package io.gencluster.epmd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against the embedded port mapper, over real loopback sockets. */
class PortMapperTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final PortMapper mapper;
    private final EpmdClient client;

    PortMapperTest() throws IOException {
        mapper = PortMapper.start(InetAddress.getLoopbackAddress(), 0);
        client = new EpmdClient("127.0.0.1", mapper.port(), TIMEOUT);
    }

    @AfterEach
    void stop() {
        mapper.close();
    }

    @Test
    void aRegistrationIsListedAndResolvableWhileItsConnectionIsOpen() throws Exception {
        try (EpmdClient.Registration r = client.register(NodeEntry.genCluster("n1", 4370), () -> { })) {
            assertTrue(r.creation > 0);
            assertEquals(Map.of("n1", 4370), client.names());
            NodeEntry e = client.portPlease("n1");
            assertEquals(4370, e.port);
            assertTrue(e.isGenCluster());
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!client.names().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Map.of(), client.names(), "closing the connection unregisters");
        assertNull(client.portPlease("n1"));
    }

    @Test
    void aDuplicateNameIsRefused() throws Exception {
        try (EpmdClient.Registration r = client.register(NodeEntry.genCluster("n1", 4370), () -> { })) {
            EpmdException e = assertThrows(EpmdException.class, () -> client.register(NodeEntry.genCluster("n1", 4371), () -> { }));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertEquals(4370, client.portPlease("n1").port);
        }
    }

    @Test
    void aRegistrationKnowsWhenThePortMapperGoes() throws Exception {
        CountDownLatch lost = new CountDownLatch(1);
        EpmdClient.Registration r = client.register(NodeEntry.genCluster("n1", 4370), lost::countDown);
        mapper.close();
        assertTrue(lost.await(5, TimeUnit.SECONDS));
        assertFalse(r.isActive());
    }

    @Test
    void noPortMapperIsANamedError() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        EpmdException e = assertThrows(EpmdException.class, () -> new EpmdClient("127.0.0.1", closed, TIMEOUT).names());
        assertTrue(e.getMessage().startsWith("no EPMD at 127.0.0.1:" + closed), e.getMessage());
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EpmdClient c = new EpmdClient("127.0.0.1", silent.getLocalPort(), Duration.ofMillis(300));
            long start = System.nanoTime();
            EpmdException e = assertThrows(EpmdException.class, c::names);
            assertTrue(e.getMessage().contains("did not answer NAMES within 300 ms"), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void garbageRequestsAreClosedAndTheMapperKeepsServing() throws Exception {
        for (byte[] bad : new byte[][] {{0, 0}, {(byte) 0xff, (byte) 0xff, 1}, {0, 1, 99}, {0, 3, 120, 1, 2}}) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", mapper.port()), 1000);
                s.setSoTimeout(15_000);
                OutputStream out = s.getOutputStream();
                out.write(bad);
                out.flush();
                s.shutdownOutput();
                assertEquals(-1, s.getInputStream().read(), "closed without a reply");
            }
        }
        try (EpmdClient.Registration r = client.register(NodeEntry.genCluster("ok", 1), () -> { })) {
            assertEquals(Map.of("ok", 1), client.names());
        }
    }
}
