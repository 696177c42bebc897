package io.gencluster.runtime;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the refresh loop's tests share: virtual time (no test sleeps, every timer is driven by the
 * test), a recording transport, discovery sources the test changes, the forwarded events and the
 * loop's log.
 */
abstract class RefreshLoopFixture {

    static final Duration INTERVAL = Duration.ofMillis(1000);
    static final long BACKOFF_INITIAL_MS = 100;
    static final long BACKOFF_MAX_MS = 800;

    final VirtualTimeScheduler time = new VirtualTimeScheduler();
    final RecordingDist dist = new RecordingDist("self@h");
    final Map<String, Discovery> sources = new LinkedHashMap<>();
    final List<ClusterEvent> forwarded = new ArrayList<>();
    private final List<LogRecord> logs = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(RefreshLoop.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logs.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    RefreshLoop loop;
    long removedGraceMs = RuntimeSettings.DEFAULT_REMOVED_GRACE_MS;

    @BeforeEach
    final void captureLogs() {
        logger.addHandler(capture);
    }

    @AfterEach
    final void stop() {
        logger.removeHandler(capture);
        if (loop != null) {
            loop.close();
            time.runDue();
        }
    }

    RefreshLoop start(String interval, String removedNodes) {
        return start(interval, removedNodes, Runnable::run);
    }

    RefreshLoop start(String interval, String removedNodes, Executor discoveryCalls) {
        RuntimeSettings settings = new RuntimeSettings(interval, 1000, 2000, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, removedNodes,
                removedGraceMs);
        loop = new RefreshLoop(dist, settings, time, discoveryCalls, new Random(42), forwarded::add);
        sources.forEach((name, source) -> loop.addDiscovery(name, name, source));
        loop.start();
        time.runDue();
        return loop;
    }

    RefreshLoop start() {
        return start(String.valueOf(INTERVAL.toMillis()), "keep");
    }

    /** Starts the loop with {@code source} as its one discovery, and lets the dials to {@code nodes} succeed. */
    void startAccepting(Source source, String... nodes) {
        sources.put("s", source);
        start();
        for (String n : nodes) {
            dist.accept(n);
        }
        time.runDue();
    }

    /** A discovery source the test changes as the scenario goes on. */
    static final class Source implements Discovery {
        volatile Set<Peer> peers = Set.of();
        volatile Exception failure;
        final AtomicInteger calls = new AtomicInteger();

        Source(String... nodes) {
            set(nodes);
        }

        void set(String... nodes) {
            Set<Peer> s = new LinkedHashSet<>();
            for (String n : nodes) {
                s.add(Peer.parse(n));
            }
            peers = s;
            failure = null;
        }

        @Override
        public Set<Peer> peers() throws DiscoveryException {
            calls.incrementAndGet();
            Exception f = failure;
            if (f instanceof DiscoveryException) {
                throw (DiscoveryException) f;
            }
            if (f != null) {
                throw (RuntimeException) f;
            }
            return peers;
        }
    }

    NodeState state(String node) {
        return loop.snapshot().nodes().get(NodeName.parse(node));
    }

    Set<String> discovered() {
        Set<String> out = new LinkedHashSet<>();
        for (Peer p : loop.snapshot().discovered()) {
            out.add(p.node().toString());
        }
        return out;
    }

    long logged(Level level, String text) {
        return logs.stream().filter(r -> r.getLevel().equals(level))
                .map(r -> new java.util.logging.SimpleFormatter().formatMessage(r)).filter(m -> m.contains(text)).count();
    }
}
