package io.gencluster.itests;

import static io.gencluster.itests.NodeProcess.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nodes as separate JVM processes, so that one can be killed hard (kill -9 of its PID) and
 * restarted, as an operator would see it. Every process is killed in teardown.
 */
class SeparateJvmIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long REFRESH_MS = 1000;
    private static final String COOKIE = "c00kie-for-integration-tests";

    private final List<NodeProcess> processes = new ArrayList<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Path work = Path.of(System.getProperty("work.dir"), "jvm-" + System.nanoTime());

    @AfterEach
    void killAll() throws InterruptedException {
        for (NodeProcess p : processes) {
            p.kill();
        }
    }

    @Test
    void nodeKilledHardIsReportedDownAndReconnectedWhenRestarted() throws Exception {
        ports.putAll(FreePorts.forNames("n1", "n2", "n3"));
        NodeProcess n1 = start("n1", runtime(REFRESH_MS), "n1", "n2", "n3");
        NodeProcess n2 = start("n2", runtime(REFRESH_MS), "n1", "n2", "n3");
        NodeProcess n3 = start("n3", runtime(REFRESH_MS), "n1", "n2", "n3");
        n1.awaitMembers(names("n2", "n3"), TIMEOUT);
        n2.awaitMembers(names("n1", "n3"), TIMEOUT);
        n3.awaitMembers(names("n1", "n2"), TIMEOUT);

        n3.kill();
        // a killed process's sockets are closed by the OS: the others see the connection close at once
        n1.awaitMembers(names("n2"), TIMEOUT);
        n2.awaitMembers(names("n1"), TIMEOUT);

        // restarted with its transport only: it dials nobody, so only n1's and n2's loops can bring it back
        NodeProcess restarted = start("n3", null);
        long n1Took = n1.awaitMembers(names("n2", "n3"), TIMEOUT);
        long n2Took = n2.awaitMembers(names("n1", "n3"), TIMEOUT);
        assertTrue(Math.max(n1Took, n2Took) <= REFRESH_MS + 500,
                "reconnected " + n1Took + " / " + n2Took + " ms after the restarted node was ready; refresh interval " + REFRESH_MS + " ms");
        assertTrue(restarted.pid() != n3.pid());
    }

    @Test
    void withRefreshIntervalInfinityANodeConnectsOnceAndNeverReconnects() throws Exception {
        ports.putAll(FreePorts.forNames("n1", "n2"));
        NodeProcess n2 = start("n2", null);
        NodeProcess n1 = start("n1", runtime(-1).with("refresh.interval.ms", "infinity"), "n1", "n2");
        n1.awaitMembers(names("n2"), TIMEOUT);

        n2.kill();
        n1.awaitMembers(Set.of(), TIMEOUT);
        start("n2", null);
        // nothing may bring it back: no refresh, no reconnect. A bounded window is the only way to
        // observe an absence; 3 s covers several backoff and refresh periods of a node that did retry.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < end) {
            assertEquals(Set.of(), n1.members(), "n1 reconnected although refresh.interval.ms=infinity");
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Test
    void aFrozenNodeIsDeclaredDownWithinTheSilenceWindowAndComesBackWhenResumed() throws Exception {
        ports.putAll(FreePorts.forNames("n1", "n2"));
        NodeProcess n1 = start("n1", runtime(REFRESH_MS), "n1", "n2");
        NodeProcess n2 = start("n2", runtime(REFRESH_MS), "n1", "n2");
        n1.awaitMembers(names("n2"), TIMEOUT);
        n2.awaitMembers(names("n1"), TIMEOUT);

        n2.signal("STOP"); // frozen: its sockets stay open, nothing is read or written
        long frozen = System.nanoTime();
        n1.awaitMembers(Set.of(), TIMEOUT);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozen);
        long window = 2000; // tick.timeout.ms
        assertTrue(took >= window / 2 && took <= window * 3 / 2, "declared down after " + took + " ms; window " + window + " ms");

        n2.signal("CONT");
        n1.awaitMembers(names("n2"), TIMEOUT);
        n2.awaitMembers(names("n1"), TIMEOUT);
    }

    @Test
    void aNodeWithAWrongCookieIsRefusedOnBothSidesWithALogLineThatKeepsTheCookiesSecret() throws Exception {
        String otherCookie = "an0ther-c00kie-for-integration-tests";
        ports.putAll(FreePorts.forNames("n1", "n2", "n3"));
        // every node dials the others, so each side sees the refusal both as dialler and as acceptor
        NodeProcess n1 = start("n1", COOKIE, runtime(REFRESH_MS), "n1", "n2", "n3");
        NodeProcess n2 = start("n2", COOKIE, runtime(REFRESH_MS), "n1", "n2", "n3");
        NodeProcess n3 = start("n3", otherCookie, runtime(REFRESH_MS), "n1", "n2", "n3");
        n1.awaitMembers(names("n2"), TIMEOUT);
        n2.awaitMembers(names("n1"), TIMEOUT);

        for (NodeProcess n : List.of(n1, n3)) {
            n.awaitLogLine(l -> l.contains("refused") && l.toLowerCase(java.util.Locale.ROOT).contains("cookie"), TIMEOUT);
        }
        // an absence is only observable over a bounded window: longer than refresh + backoff, so that
        // every node has dialled every other at least twice in it
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * REFRESH_MS + 500);
        while (System.nanoTime() < end) {
            assertEquals(names("n2"), n1.members(), n1.diagnostics());
            assertEquals(names("n1"), n2.members(), n2.diagnostics());
            assertEquals(Set.of(), n3.members(), n3.diagnostics());
            TimeUnit.MILLISECONDS.sleep(20);
        }
        for (NodeProcess n : List.of(n1, n2, n3)) {
            for (String line : n.logLines()) {
                assertTrue(!line.contains(COOKIE) && !line.contains(otherCookie), n.name + " logged a cookie: " + line);
            }
        }
    }

    /** Starts node {@code name} with its transport, and with static discovery and {@code runtime} unless that is null. */
    private NodeProcess start(String name, Props runtime, String... discovered) throws Exception {
        return start(name, COOKIE, runtime, discovered);
    }

    private NodeProcess start(String name, String cookie, Props runtime, String... discovered) throws Exception {
        Map<String, String> dist = Map.of("node.name", name + "@127.0.0.1", "bind.address", "127.0.0.1",
                "port", String.valueOf(ports.get(name)), "cookie", cookie, "tick.ms", "200", "tick.timeout.ms", "2000",
                "epmd.register", "false");
        NodeProcess p;
        if (runtime == null) {
            p = NodeProcess.start(name, work, configs("io.gencluster.dist.tcp", dist));
        } else {
            StringBuilder list = new StringBuilder();
            for (String n : discovered) {
                list.append(list.length() == 0 ? "" : ",").append(n).append("@127.0.0.1:").append(ports.get(n));
            }
            p = NodeProcess.start(name, work, configs("io.gencluster.dist.tcp", dist,
                    "io.gencluster.discovery.static", Map.of("nodes", list.toString()), "io.gencluster", runtime.map));
        }
        processes.add(p);
        return p;
    }

    private static Props runtime(long refreshMs) {
        return new Props().with("refresh.interval.ms", String.valueOf(refreshMs))
                .with("reconnect.backoff.initial.ms", "100").with("reconnect.backoff.max.ms", String.valueOf(Math.max(100, refreshMs / 2)));
    }

    private static Set<String> names(String... names) {
        return EmbeddedNodes.names(names);
    }

    private static final class Props {
        final Map<String, String> map = new LinkedHashMap<>();

        Props with(String k, String v) {
            map.put(k, v);
            return this;
        }
    }
}
