package io.gencluster.epmd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded port mapper under attack, over real loopback sockets: thousands of connections
 * that say nothing, and a client that sends its request one byte a second, must not keep a real
 * client from its answer, and are logged as a summary, not a line each.
 */
class PortMapperFloodTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int WANTED_IDLE = 3000;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ExecutorService attacker = Executors.newSingleThreadExecutor();
    private final PortMapper mapper;
    private final EpmdClient client;

    PortMapperFloodTest() throws IOException {
        mapper = PortMapper.start(LOOPBACK, 0);
        client = new EpmdClient("127.0.0.1", mapper.port(), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        attacker.shutdownNow();
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already closed by the port mapper
            }
        }
        mapper.close();
    }

    /** 3,000 idle connections, or fewer when the file descriptor limit could not hold them and the port mapper's own. */
    private static int idleConnections() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long spare = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount()
                    - PortMapper.MAX_UNREGISTERED - 200;
            return (int) Math.max(0, Math.min(WANTED_IDLE, spare));
        }
        return WANTED_IDLE;
    }

    @Test
    void namesAndPortPleaseAreAnsweredBeforeTheThousandsOfIdleConnectionsHeldExpire() throws Exception {
        List<LogRecord> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                synchronized (logged) {
                    logged.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger(PortMapper.class.getName()).addHandler(capture);
        long began = System.nanoTime();
        try {
            EpmdClient.Registration n1 = client.register(NodeEntry.genCluster("n1", 4370), () -> { });
            open.add(n1);
            int idle = idleConnections();
            assertTrue(idle >= 1000, "the file descriptor limit leaves room for only " + idle + " idle connections");
            long opening = System.nanoTime();
            for (int i = 0; i < idle; i++) {
                SocketChannel c = SocketChannel.open(new InetSocketAddress(LOOPBACK, mapper.port()));
                open.add(c); // connected and silent, held until the end of the test
            }
            double openedPerDeadline = idle * (double) PortMapper.REQUEST_DEADLINE_MS
                    / Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opening));

            long start = System.nanoTime();
            Map<String, Integer> names = client.names();
            long namesMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(Map.of("n1", 4370), names, "the registration survives the flood");
            // a port mapper that the idle connections held up would answer only once their
            // request deadline closed them; a slow machine still answers well before that
            assertTrue(namesMs < PortMapper.REQUEST_DEADLINE_MS, "NAMES took " + namesMs + " ms with " + idle + " idle connections held");

            start = System.nanoTime();
            NodeEntry e = client.portPlease("n1");
            long portMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(4370, e.port);
            assertTrue(portMs < PortMapper.REQUEST_DEADLINE_MS, "PORT_PLEASE2 took " + portMs + " ms with " + idle + " idle connections held");
            assertTrue(n1.isActive());

            mapper.close(); // writes the summary that is due
            List<String> lines = new ArrayList<>();
            synchronized (logged) {
                logged.forEach(r -> lines.add(new SimpleFormatter().formatMessage(r)));
            }
            // one summary line per 10 s period: opening the connections takes longer on a busy machine
            long periods = 1 + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began) / 10;
            assertTrue(lines.size() >= 1 && lines.size() <= periods,
                    lines.size() + " lines in " + periods + " period(s) of 10 s for " + idle + " connections: " + lines);
            assertTrue(lines.stream().allMatch(l -> l.matches("port mapper on port \\d+ closed [\\d,]+ connection\\(s\\) in .*")), lines.toString());
            // connections beyond the cap are closed to make room only when they come faster than
            // their deadline closes them: on a busy machine that opened them slowly, the deadline did
            if (openedPerDeadline > 1.5 * PortMapper.MAX_UNREGISTERED) {
                assertTrue(lines.stream().anyMatch(l -> l.contains("closed unanswered to make room")),
                        String.format("%.0f connections opened per request deadline, more than the cap of %d: %s",
                                openedPerDeadline, PortMapper.MAX_UNREGISTERED, lines));
            } else {
                assertTrue(lines.stream().anyMatch(l -> l.contains("closed unanswered to make room") || l.contains("past their deadline")),
                        lines.toString());
            }
        } finally {
            Logger.getLogger(PortMapper.class.getName()).removeHandler(capture);
        }
    }

    @Test
    void aClientSendingOneBytePerSecondIsClosedAtTheRequestDeadline() throws Exception {
        Socket slow = new Socket();
        open.add(slow);
        slow.connect(new InetSocketAddress(LOOPBACK, mapper.port()), 1000);
        long start = System.nanoTime();
        byte[] request = EpmdCodec.portPlease2Request("a-node-name-sent-slowly");
        attacker.execute(() -> {
            try {
                OutputStream out = slow.getOutputStream();
                for (byte b : request) {
                    out.write(b);
                    out.flush();
                    TimeUnit.SECONDS.sleep(1); // the attack's pace
                }
            } catch (IOException | InterruptedException closed) {
                // closed by the port mapper, or the test ended
            }
        });
        slow.setSoTimeout((int) (PortMapper.REQUEST_DEADLINE_MS + 4000));
        InputStream in = slow.getInputStream();
        try {
            assertEquals(-1, in.read(), "closed without a reply");
        } catch (SocketException reset) {
            // closed while a byte was in flight: a reset is a close too
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMs < PortMapper.REQUEST_DEADLINE_MS + 1000,
                "closed " + tookMs + " ms after connecting; deadline " + PortMapper.REQUEST_DEADLINE_MS + " ms");

        try (EpmdClient.Registration r = client.register(NodeEntry.genCluster("ok", 1), () -> { })) {
            assertEquals(Map.of("ok", 1), client.names(), "the port mapper keeps serving");
        }
    }
}
