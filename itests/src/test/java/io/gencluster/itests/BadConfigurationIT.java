package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.awaitMembers;
import static io.gencluster.itests.EmbeddedNodes.names;
import static io.gencluster.itests.EmbeddedNodes.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.itests.node.FelixNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * Bad configuration values, as an operator would type them into a {@code .cfg} file: each gives
 * one ERROR line naming the key and the value; the framework keeps running; a node that was
 * running keeps its settings and its connections.
 */
class BadConfigurationIT {

    private final BlockingQueue<String> errors = new LinkedBlockingQueue<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private EmbeddedNodes cluster;

    @BeforeEach
    void setUp() throws Exception {
        Logger.getLogger("").addHandler(capture);
        cluster = new EmbeddedNodes("bad-config");
    }

    @AfterEach
    void tearDown() throws Exception {
        Logger.getLogger("").removeHandler(capture);
        cluster.close();
    }

    private String awaitError(String... parts) throws InterruptedException {
        long deadline = System.nanoTime() + EmbeddedNodes.TIMEOUT.toNanos();
        List<String> seen = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = errors.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            seen.add(line);
            if (List.of(parts).stream().allMatch(line::contains)) {
                return line;
            }
        }
        throw new AssertionError("no ERROR line containing " + List.of(parts) + "; saw " + seen);
    }

    @Test
    void badUpdatesOfARunningNodeAreLoggedByKeyAndValueAndChangeNothing() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        cluster.start("b", "c00kie-for-integration-tests");
        cluster.discover(a, "a", "b");
        runtime(a);
        awaitMembers(a, names("b"));
        long service = a.clusterServiceId().orElseThrow();

        runtime(a, "reconnect.backoff.initial.ms", "-5");
        awaitError("io.gencluster", "reconnect.backoff.initial.ms", "-5", "keeping the running settings");
        runtime(a, "removed.nodes", "sometimes");
        awaitError("io.gencluster", "removed.nodes", "sometimes");
        runtime(a, "refresh.interval.ms", "soon");
        awaitError("io.gencluster", "refresh.interval.ms", "soon");
        runtime(a, "connect.timeout.ms", "ten");
        awaitError("io.gencluster", "connect.timeout.ms", "ten");
        a.configure("io.gencluster.dist.tcp", Map.of("node.name", "bad name@host", "cookie", "c00kie-for-integration-tests", "epmd.register", "false"));
        awaitError("io.gencluster.dist.tcp", "node.name", "bad name@host", "keeping the running transport");

        assertEquals(Bundle.ACTIVE, a.context().getBundle(0).getState(), "the framework keeps running");
        assertEquals(Optional.of(service), a.clusterServiceId(), "the cluster component was not restarted");
        assertEquals(Optional.of(names("b")), a.members(), "the connection was kept");
    }

    @Test
    void aNodeConfiguredBadlyFromTheStartLogsTheValueAndHasNoClusterComponent() throws Exception {
        FelixNode c = cluster.start("c", "c00kie-for-integration-tests");
        c.configure("io.gencluster.dist.tcp", Map.of("node.name", "c@127.0.0.1", "port", "99999", "cookie", "x-cookie-for-the-tests", "epmd.register", "false"));
        awaitError("io.gencluster.dist.tcp", "'port' has invalid value '99999'", "keeping the running transport");
        c.configure("io.gencluster", Map.of("refresh.interval.ms", "0"));
        String line = awaitError("io.gencluster", "refresh.interval.ms", "'0'", "stays inactive until the configuration is fixed");
        assertTrue(line.contains("refresh"), line);
        assertEquals(Optional.empty(), c.clusterServiceId(), "no Cluster service");
        c.configure("io.gencluster", Map.of("reconnect.backoff.initial.ms", "1000", "reconnect.backoff.max.ms", "10"));
        awaitError("io.gencluster", "reconnect.backoff.max.ms", "'10'");
        assertEquals(Bundle.ACTIVE, c.context().getBundle(0).getState(), "the framework keeps running");

        c.configure("io.gencluster", Map.of("refresh.interval.ms", "500")); // fixed: the component comes up
        long deadline = System.nanoTime() + EmbeddedNodes.TIMEOUT.toNanos();
        while (c.members().isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertTrue(c.members().isPresent(), "the cluster runs once the configuration is fixed, without a restart");
    }
}
