package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState.Status;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator's control of the loop (refresh, connect, disconnect) and discovery events, on virtual time. */
class OperatorControlTest {

    private static final Duration INTERVAL = Duration.ofMillis(1000);

    private final VirtualTimeScheduler time = new VirtualTimeScheduler();
    private final RecordingDist dist = new RecordingDist("self@h");
    private final List<ClusterEvent> events = new ArrayList<>();
    private final List<String> logs = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(RefreshLoop.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logs.add(new java.util.logging.SimpleFormatter().formatMessage(r));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private volatile Set<Peer> peers = Set.of();
    private final AtomicInteger calls = new AtomicInteger();
    private RefreshLoop loop;

    @BeforeEach
    void captureLogs() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stop() {
        logger.removeHandler(capture);
        if (loop != null) {
            loop.close();
            time.runDue();
        }
    }

    private void start(String interval) {
        RuntimeSettings settings = new RuntimeSettings(interval, 1000, 2000, 100, 800, "keep");
        loop = new RefreshLoop(dist, settings, time, Runnable::run, new Random(42), events::add);
        Discovery source = () -> {
            calls.incrementAndGet();
            return peers;
        };
        loop.addDiscovery("s", "s", source);
        loop.start();
        time.runDue();
    }

    private void discover(String... nodes) {
        Set<Peer> s = new java.util.LinkedHashSet<>();
        for (String n : nodes) {
            s.add(Peer.parse(n));
        }
        peers = s;
    }

    private List<String> eventsOf(ClusterEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).map(e -> e.node().toString()).toList();
    }

    private long logged(String text) {
        return logs.stream().filter(l -> l.contains(text)).count();
    }

    @Test
    void anOperatorRefreshAsksDiscoveryNowAndTheIntervalStartsAgainFromIt() {
        start(String.valueOf(INTERVAL.toMillis()));
        assertEquals(1, calls.get());
        time.advance(Duration.ofMillis(300));
        discover("a@h:1");
        CompletableFuture<Void> done = loop.refresh().toCompletableFuture();
        time.runDue();
        assertTrue(done.isDone() && !done.isCompletedExceptionally());
        assertEquals(2, calls.get());
        assertEquals(Set.of(Peer.parse("a@h:1")), loop.snapshot().discovered(), "applied when the stage completes");
        assertEquals(1, dist.connectsTo("a@h"));
        time.advance(INTERVAL.minusMillis(1));
        assertEquals(2, calls.get(), "the timed refresh that was due at 1000 ms was replaced");
        time.advance(Duration.ofMillis(1));
        assertEquals(3, calls.get());
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(6, calls.get(), "one chain of refreshes, not two");
    }

    @Test
    void anOperatorRefreshConnectsNewPeersEvenWhenRefreshesAreOff() {
        start("infinity");
        discover("a@h:1");
        loop.refresh();
        time.runDue();
        assertEquals(1, dist.connectsTo("a@h"));
        time.advance(INTERVAL.multipliedBy(5));
        assertEquals(2, calls.get(), "still no timed refresh");
    }

    @Test
    void anOperatorConnectSkipsTheBackoffOfADiscoveredNode() {
        discover("a@h:1");
        start("60000");
        dist.refuse("a@h", "connection refused");
        time.runDue();
        assertEquals(Status.BACKING_OFF, loop.snapshot().nodes().get(NodeName.parse("a@h")).status());
        CompletableFuture<Void> done = loop.connect(Peer.parse("a@h:1")).toCompletableFuture();
        time.runDue();
        assertEquals(2, dist.connectsTo("a@h"), "dialled at once");
        assertFalse(done.isDone());
        dist.accept("a@h");
        time.runDue();
        assertTrue(done.isDone() && !done.isCompletedExceptionally());
        assertEquals(Status.CONNECTED, loop.snapshot().nodes().get(NodeName.parse("a@h")).status());
    }

    @Test
    void anOperatorConnectToAnUndiscoveredNodeFailsWithTheReasonAndIsNotRetried() {
        start("1000");
        CompletableFuture<Void> done = loop.connect(Peer.parse("x@h:9")).toCompletableFuture();
        time.runDue();
        dist.refuse("x@h", "connection refused");
        time.runDue();
        assertTrue(done.isCompletedExceptionally());
        assertTrue(done.handle((ok, err) -> err.getMessage()).join().contains("connection refused"));
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(1, dist.connectsTo("x@h"), "a node nobody discovers is dialled once");
    }

    @Test
    void whoHearsAnOperatorConnectFailReadsTheFailureInTheNodesState() {
        start("1000");
        java.util.concurrent.atomic.AtomicReference<NodeState> seen = new java.util.concurrent.atomic.AtomicReference<>();
        loop.connect(Peer.parse("x@h:9")).whenComplete((ok, err) -> seen.set(loop.snapshot().nodes().get(NodeName.parse("x@h"))));
        time.runDue();
        dist.refuse("x@h", "connection refused");
        time.runDue();
        assertEquals(Status.DISCONNECTED, seen.get().status(), "recorded before the caller was told: " + seen.get());
        assertEquals(1, seen.get().failures());
    }

    @Test
    void connectingThisNodeFailsAtOnce() {
        start("1000");
        CompletableFuture<Void> done = loop.connect(Peer.parse("self@h:1")).toCompletableFuture();
        time.runDue();
        assertTrue(done.isCompletedExceptionally());
        assertEquals(0, dist.connectsTo("self@h"));
    }

    @Test
    void anOperatorDisconnectAsksTheTransportAndADiscoveredNodeComesBackOnItsBackoff() {
        discover("a@h:1");
        start("60000");
        dist.accept("a@h");
        time.runDue();
        loop.disconnect(NodeName.parse("a@h"));
        assertEquals(List.of(NodeName.parse("a@h")), dist.disconnects);
        dist.down("a@h", DownReason.DISCONNECTED);
        time.advance(Duration.ofMillis(200));
        assertEquals(2, dist.connectsTo("a@h"));
    }

    @Test
    void discoveredAndLostAreEventsAndOneLogLineEachNotOnePerRefresh() {
        discover("a@h:1", "b@h:2");
        start("1000");
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(List.of("a@h", "b@h"), eventsOf(ClusterEvent.Type.NODE_DISCOVERED).stream().sorted().toList());
        assertEquals(1, logged("node discovered a@h:1"));
        discover("a@h:1");
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(List.of("b@h"), eventsOf(ClusterEvent.Type.NODE_LOST));
        assertEquals(1, logged("node lost b@h: no longer discovered"));
        ClusterEvent found = events.stream().filter(e -> e.type() == ClusterEvent.Type.NODE_DISCOVERED).findFirst().orElseThrow();
        assertTrue(found.detail().startsWith(found.node().toString() + ":"), "detail is the peer with its port: " + found.detail());
        assertEquals(2, eventsOf(ClusterEvent.Type.NODE_DISCOVERED).size(), "no repeat for a node still discovered");
    }

    @Test
    void refreshesAskedDuringARoundJoinItAndTheirNumberIsBounded() {
        List<Runnable> pendingCalls = new ArrayList<>();
        RuntimeSettings settings = new RuntimeSettings("1000", 1000, 2000, 100, 800, "keep");
        loop = new RefreshLoop(dist, settings, time, pendingCalls::add, new Random(42), events::add);
        loop.addDiscovery("s", "s", () -> {
            calls.incrementAndGet();
            return peers;
        });
        loop.start();
        time.runDue(); // the first round's discovery call is pending
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < RefreshLoop.MAX_REFRESH_WAITERS + 1; i++) {
            waiting.add(loop.refresh().toCompletableFuture());
        }
        time.runDue();
        assertTrue(waiting.get(RefreshLoop.MAX_REFRESH_WAITERS).isCompletedExceptionally(), "one too many");
        pendingCalls.forEach(Runnable::run);
        time.runDue();
        assertEquals(1, calls.get(), "all joined the round in progress");
        assertTrue(waiting.subList(0, RefreshLoop.MAX_REFRESH_WAITERS).stream()
                .allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
    }

    @Test
    void controlAfterCloseFailsInsteadOfHanging() {
        start("1000");
        loop.close();
        time.runDue();
        assertTrue(loop.refresh().toCompletableFuture().isCompletedExceptionally());
        assertTrue(loop.connect(Peer.parse("a@h:1")).toCompletableFuture().isCompletedExceptionally());
    }
}
