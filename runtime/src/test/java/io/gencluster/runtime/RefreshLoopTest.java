package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState.Status;
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
import org.junit.jupiter.api.Test;

/** The loop's semantics, on virtual time: no test sleeps, every timer is driven by the test. */
class RefreshLoopTest {

    private static final Duration INTERVAL = Duration.ofMillis(1000);
    private static final long BACKOFF_INITIAL_MS = 100;
    private static final long BACKOFF_MAX_MS = 800;

    private final VirtualTimeScheduler time = new VirtualTimeScheduler();
    private final RecordingDist dist = new RecordingDist("self@h");
    private final Map<String, Discovery> sources = new LinkedHashMap<>();
    private final List<ClusterEvent> forwarded = new ArrayList<>();
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
    private RefreshLoop loop;
    private long removedGraceMs = RuntimeSettings.DEFAULT_REMOVED_GRACE_MS;

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

    private RefreshLoop start(String interval, String removedNodes) {
        return start(interval, removedNodes, Runnable::run);
    }

    private RefreshLoop start(String interval, String removedNodes, Executor discoveryCalls) {
        RuntimeSettings settings = new RuntimeSettings(interval, 1000, 2000, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, removedNodes,
                removedGraceMs);
        loop = new RefreshLoop(dist, settings, time, discoveryCalls, new Random(42), forwarded::add);
        sources.forEach((name, source) -> loop.addDiscovery(name, name, source));
        loop.start();
        time.runDue();
        return loop;
    }

    private RefreshLoop start() {
        return start(String.valueOf(INTERVAL.toMillis()), "keep");
    }

    /** A discovery source the test changes as the scenario goes on. */
    private static final class Source implements Discovery {
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

    private NodeState state(String node) {
        return loop.snapshot().nodes().get(NodeName.parse(node));
    }

    private Set<String> discovered() {
        Set<String> out = new LinkedHashSet<>();
        for (Peer p : loop.snapshot().discovered()) {
            out.add(p.node().toString());
        }
        return out;
    }

    private long logged(Level level, String text) {
        return logs.stream().filter(r -> r.getLevel().equals(level))
                .map(r -> new java.util.logging.SimpleFormatter().formatMessage(r)).filter(m -> m.contains(text)).count();
    }

    @Test
    void aNodeConnectedBeforeTheLoopStartedIsReportedUpOnceAndItsDropReported() {
        dist.up("early@h"); // its runtime dialled this node before this node's loop existed
        sources.put("s", new Source("early@h:1"));
        start();
        assertEquals(List.of(ClusterEvent.Type.NODE_UP), upsAndDowns(), "reported up although its event came before the loop");
        dist.up("early@h"); // a late event for the same connection is no second node up
        time.runDue();
        assertEquals(List.of(ClusterEvent.Type.NODE_UP), upsAndDowns());
        assertEquals(Status.CONNECTED, state("early@h").status());
        dist.down("early@h", DownReason.CONNECTION_CLOSED);
        time.runDue();
        assertEquals(List.of(ClusterEvent.Type.NODE_UP, ClusterEvent.Type.NODE_DOWN), upsAndDowns());
    }

    private List<ClusterEvent.Type> upsAndDowns() {
        return forwarded.stream().map(ClusterEvent::type)
                .filter(t -> t == ClusterEvent.Type.NODE_UP || t == ClusterEvent.Type.NODE_DOWN).toList();
    }

    @Test
    void theFirstRefreshRunsAtStartAndThenOncePerInterval() {
        Source s = new Source("a@h:1");
        sources.put("s", s);
        start();
        assertEquals(1, s.calls.get());
        time.advance(INTERVAL.minusMillis(1));
        assertEquals(1, s.calls.get());
        time.advance(Duration.ofMillis(1));
        assertEquals(2, s.calls.get());
        time.advance(INTERVAL);
        assertEquals(3, s.calls.get());
    }

    @Test
    void everyDiscoveredPeerIsConnectedInParallel() {
        sources.put("s", new Source("a@h:1", "b@h:2", "c@h:3"));
        start();
        assertEquals(3, dist.connects.size(), "all three dialled before any answered");
        assertEquals(Status.CONNECTING, state("a@h").status());
        assertEquals(Set.of(Peer.parse("a@h:1"), Peer.parse("b@h:2"), Peer.parse("c@h:3")), Set.copyOf(dist.connects));
    }

    @Test
    void aPeerThatNeverAnswersDoesNotDelayTheOthers() {
        sources.put("s", new Source("a@h:1", "b@h:2", "hung@h:3"));
        start();
        dist.accept("a@h");
        dist.accept("b@h");
        time.runDue();
        assertEquals(Status.CONNECTED, state("a@h").status());
        assertEquals(Status.CONNECTED, state("b@h").status());
        assertEquals(Status.CONNECTING, state("hung@h").status());
        time.advance(Duration.ofMillis(2000)); // connect timeout + the grace given to the transport
        NodeState hung = state("hung@h");
        assertEquals(Status.BACKING_OFF, hung.status());
        assertTrue(hung.lastError().orElseThrow().contains("did not answer"), hung.toString());
    }

    @Test
    void theLocalNodeIsNeverAConnectTarget() {
        sources.put("s", new Source("self@h:9", "a@h:1"));
        start();
        assertEquals(List.of(Peer.parse("a@h:1")), dist.connects);
        assertEquals(Set.of("a@h"), discovered());
    }

    @Test
    void aFailedConnectBacksOffExponentiallyWithJitterUpToTheCap() {
        sources.put("s", new Source("a@h:1"));
        start("60000", "keep");
        long[] bases = {100, 200, 400, 800, 800, 800};
        for (int i = 0; i < bases.length; i++) {
            dist.refuse("a@h", "connection refused");
            time.runDue();
            NodeState s = state("a@h");
            assertEquals(Status.BACKING_OFF, s.status());
            assertEquals(i + 1, s.failures());
            long delay = Duration.between(time.now(), s.nextAttempt().orElseThrow()).toMillis();
            assertTrue(delay >= bases[i] * 0.8 && delay <= Math.min(bases[i] * 1.2, BACKOFF_MAX_MS),
                    "attempt " + (i + 1) + ": delay " + delay + " for base " + bases[i]);
            time.advance(Duration.ofMillis(delay));
            assertEquals(i + 2, dist.connectsTo("a@h"), "retried when the backoff ran out, not at the next refresh");
        }
        assertEquals(1, logged(Level.WARNING, "cannot connect to a@h: connection refused"), "the same failure is logged once");
    }

    @Test
    void aLoopReplacedByANewConfigurationAnnouncesNoMemberTwice() {
        // a changed io.gencluster.cfg replaces the loop; the connections stay and listeners must see
        // up and down strictly alternate per node: no second up for a, and b's drop in between is told
        sources.put("s", new Source("a@h:1", "b@h:2"));
        RefreshLoop first = start();
        dist.accept("a@h");
        dist.accept("b@h");
        time.runDue();
        first.close();
        dist.down("b@h", DownReason.CONNECTION_CLOSED); // while no loop listens
        time.runDue();
        loop = new RefreshLoop(dist, new RuntimeSettings("500", 1000, 2000, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, "keep"),
                time, Runnable::run, new Random(42), forwarded::add);
        sources.forEach((name, source) -> loop.addDiscovery(name, name, source));
        loop.start(first.announced());
        time.runDue();
        List<String> seen = new ArrayList<>();
        for (ClusterEvent e : forwarded) {
            if (e.type() == ClusterEvent.Type.NODE_UP || e.type() == ClusterEvent.Type.NODE_DOWN) {
                seen.add(e.type() + " " + e.node());
            }
        }
        assertEquals(List.of("NODE_UP a@h", "NODE_UP b@h", "NODE_DOWN b@h"), seen);
        assertEquals(Status.CONNECTED, state("a@h").status());
        assertEquals(Status.CONNECTING, state("b@h").status(), "b, still discovered, is dialled again");
    }

    @Test
    void aDiscoveredNodeIsRetriedAtLeastTwicePerRefreshIntervalHoweverLongItFailed() {
        // a long partition must not leave a healed network apart for the backoff's cap (800 ms here)
        sources.put("s", new Source("a@h:1"));
        start("1000", "keep");
        for (int i = 0; i < 8; i++) {
            dist.refuse("a@h", "connect timed out");
            time.runDue();
            NodeState s = state("a@h");
            long delay = Duration.between(time.now(), s.nextAttempt().orElseThrow()).toMillis();
            assertTrue(delay <= 500, "attempt " + (i + 1) + ": next in " + delay + " ms, over half the refresh interval");
            time.advance(Duration.ofMillis(delay));
        }
    }

    @Test
    void aDroppedNodeThatIsStillDiscoveredIsReconnectedOnItsBackoffBeforeTheNextRefresh() {
        sources.put("s", new Source("a@h:1"));
        start("10000", "keep");
        dist.accept("a@h");
        time.runDue();
        dist.down("a@h", DownReason.CONNECTION_CLOSED);
        time.runDue();
        assertEquals(Status.BACKING_OFF, state("a@h").status());
        time.advance(Duration.ofMillis(BACKOFF_INITIAL_MS * 6 / 5));
        assertEquals(2, dist.connectsTo("a@h"));
        dist.accept("a@h");
        time.runDue();
        assertEquals(Status.CONNECTED, state("a@h").status());
        assertEquals(0, state("a@h").failures());
    }

    @Test
    void aNodeNoLongerDiscoveredStaysConnectedWithKeepButIsNotReconnected() {
        Source s = new Source("a@h:1");
        sources.put("s", s);
        start();
        dist.accept("a@h");
        s.set();
        time.advance(INTERVAL);
        assertEquals(Status.CONNECTED, state("a@h").status());
        assertFalse(state("a@h").discovered());
        assertTrue(dist.disconnects.isEmpty());

        dist.down("a@h", DownReason.CONNECTION_CLOSED);
        time.advance(INTERVAL.multipliedBy(10));
        assertEquals(1, dist.connectsTo("a@h"), "never dialled again");
        assertNull(state("a@h"), "forgotten once neither discovered nor connected");
    }

    @Test
    void aNodeNoLongerDiscoveredIsDisconnectedWithDisconnectOnceTheGraceTimeIsOver() {
        Source s = new Source("a@h:1", "b@h:2");
        sources.put("s", s);
        removedGraceMs = 3 * INTERVAL.toMillis();
        start(String.valueOf(INTERVAL.toMillis()), "disconnect");
        dist.accept("a@h");
        dist.accept("b@h");
        s.set("b@h:2");
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(List.of(), dist.disconnects, "absent from 3 answers, for 2 of the 3 s of grace");
        time.advance(INTERVAL);
        assertEquals(List.of(NodeName.parse("a@h")), dist.disconnects);
        assertEquals(Set.of(NodeName.parse("b@h")), dist.members());
        time.advance(INTERVAL.multipliedBy(5));
        assertEquals(1, dist.disconnects.size(), "disconnected once");
        assertEquals(1, dist.connectsTo("a@h"));
    }

    @Test
    void aNodeDisconnectedForItsAbsenceCannotDialBackInUntilItIsDiscoveredAgain() {
        // a pod no longer ready leaves DNS but still discovers the others: it must not walk back in
        Source s = new Source("a@h:1", "b@h:2");
        sources.put("s", s);
        removedGraceMs = 0;
        start(String.valueOf(INTERVAL.toMillis()), "disconnect");
        dist.accept("a@h");
        dist.accept("b@h");
        s.set("b@h:2");
        time.advance(INTERVAL);
        NodeName a = NodeName.parse("a@h");
        assertEquals(List.of(a), dist.disconnects);
        dist.up("a@h"); // a dials in
        time.runDue();
        assertEquals(List.of(a, a), dist.disconnects, "closed again at once");
        assertEquals(Set.of(NodeName.parse("b@h")), dist.members());
        s.set("a@h:1", "b@h:2");
        time.advance(INTERVAL);
        dist.accept("a@h"); // discovered again: dialled and kept
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(List.of(a, a), dist.disconnects);
        assertTrue(dist.members().contains(a));
    }

    @Test
    void aNodeNeverDiscoveredThatDialsInIsKept() {
        // a new pod whose record this node has not seen yet (records appear one by one) is welcome
        sources.put("s", new Source("b@h:2"));
        removedGraceMs = 0;
        start(String.valueOf(INTERVAL.toMillis()), "disconnect");
        dist.accept("b@h");
        dist.up("new@h");
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(List.of(), dist.disconnects);
        assertTrue(dist.members().contains(NodeName.parse("new@h")));
    }

    @Test
    void aNodeMissingFromOneAnswerIsNotDisconnected() {
        // a port mapper restarting lists nobody for a moment; a DNS record set is caught mid-update
        Source s = new Source("a@h:1", "b@h:2");
        sources.put("s", s);
        start(String.valueOf(INTERVAL.toMillis()), "disconnect");
        dist.accept("a@h");
        dist.accept("b@h");
        s.set();
        time.advance(INTERVAL);
        s.set("a@h:1", "b@h:2");
        time.advance(INTERVAL.multipliedBy(30));
        assertEquals(List.of(), dist.disconnects);
        assertEquals(Set.of(NodeName.parse("a@h"), NodeName.parse("b@h")), dist.members());
    }

    @Test
    void infinityConnectsOnceAndNeverAgain() {
        Source s = new Source("a@h:1", "b@h:2");
        sources.put("s", s);
        start("infinity", "keep");
        dist.accept("a@h");
        dist.refuse("b@h", "connection refused");
        time.runDue();
        assertEquals(Status.DISCONNECTED, state("b@h").status());
        dist.down("a@h", DownReason.CONNECTION_CLOSED);
        time.advance(Duration.ofHours(1));
        assertEquals(1, s.calls.get(), "discovery asked once");
        assertEquals(1, dist.connectsTo("a@h"), "a dropped node is not reconnected");
        assertEquals(1, dist.connectsTo("b@h"), "a failed node is not retried");
    }

    @Test
    void aNegativeIntervalAlsoMeansOnce() {
        Source s = new Source("a@h:1");
        sources.put("s", s);
        start("-1", "keep");
        time.advance(Duration.ofHours(1));
        assertEquals(1, s.calls.get());
    }

    @Test
    void aFailingDiscoveryKeepsItsLastPeersAndLogsOnce() {
        Source s = new Source("a@h:1");
        sources.put("static (service 7)", s);
        start(String.valueOf(INTERVAL.toMillis()), "disconnect");
        dist.accept("a@h");
        s.failure = new DiscoveryException("host dns.example: SERVFAIL");
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(4, s.calls.get());
        assertEquals(Set.of("a@h"), discovered(), "a failure is not an empty answer");
        assertTrue(dist.disconnects.isEmpty(), "nothing forgotten, even with removed.nodes=disconnect");
        assertEquals(1, logged(Level.WARNING, "discovery static (service 7) failing: host dns.example: SERVFAIL; keeping its 1 last known peer(s)"));
        s.set("a@h:1", "b@h:2");
        time.advance(INTERVAL.multipliedBy(2));
        assertEquals(1, logged(Level.INFO, "discovery static (service 7) recovered: 2 peer(s)"));
        assertEquals(Set.of("a@h", "b@h"), discovered());
    }

    @Test
    void aDiscoveryThatNeverAnswersCountsAsFailingAfterItsTimeoutAndIsNotAskedAgainMeanwhile() {
        Source s = new Source("a@h:1");
        sources.put("stuck", s);
        List<Runnable> neverRun = new ArrayList<>();
        start(String.valueOf(INTERVAL.toMillis()), "keep", neverRun::add);
        assertEquals(1, neverRun.size());
        time.advance(Duration.ofMillis(2000)); // discovery timeout
        assertEquals(1, logged(Level.WARNING, "discovery stuck failing: no answer within 2000 ms"));
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(1, neverRun.size(), "no pile-up of calls to a source that has not answered");
    }

    @Test
    void severalDiscoveriesGiveTheUnionOfTheirPeers() {
        sources.put("one", new Source("a@h:1", "b@h:2"));
        sources.put("two", new Source("b@h:2", "c@h:3"));
        start();
        assertEquals(Set.of("a@h", "b@h", "c@h"), discovered());
        assertEquals(3, dist.connects.size());
    }

    @Test
    void aPeerWithAPortWinsOverTheSameNodeWithout() {
        sources.put("one", new Source("a@h"));
        sources.put("two", new Source("a@h:7"));
        start();
        assertEquals(List.of(Peer.parse("a@h:7")), dist.connects);
    }

    @Test
    void aDiscoveryThrowingARuntimeExceptionDoesNotStopTheLoop() {
        Source s = new Source("a@h:1");
        s.failure = new IllegalStateException("bug in a strategy");
        sources.put("buggy", s);
        start();
        time.advance(INTERVAL.multipliedBy(2));
        assertEquals(3, s.calls.get(), "still refreshing");
        s.set("a@h:1");
        time.advance(INTERVAL);
        assertEquals(1, dist.connectsTo("a@h"));
    }

    @Test
    void aRemovedDiscoverySourceNoLongerContributesPeers() {
        sources.put("one", new Source("a@h:1"));
        sources.put("two", new Source("b@h:2"));
        start();
        loop.removeDiscovery("two");
        time.advance(INTERVAL);
        assertEquals(Set.of("a@h"), discovered());
    }

    @Test
    void withNoDiscoveryBoundThePreviousPeersAreKept() {
        sources.put("one", new Source("a@h:1"));
        start();
        loop.removeDiscovery("one");
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(Set.of("a@h"), discovered());
        assertEquals(1, logged(Level.WARNING, "no discovery service is bound; keeping the 1 peer(s) known so far"));
    }

    @Test
    void nodeUpAndDownEventsAreForwardedWithTheirReason() {
        sources.put("s", new Source("a@h:1"));
        start();
        dist.accept("a@h");
        dist.down("a@h", DownReason.HEARTBEAT_TIMEOUT);
        time.runDue();
        List<ClusterEvent> upDown = forwarded.stream()
                .filter(e -> e.type() == ClusterEvent.Type.NODE_UP || e.type() == ClusterEvent.Type.NODE_DOWN).toList();
        assertEquals(2, upDown.size());
        assertEquals(ClusterEvent.Type.NODE_UP, upDown.get(0).type());
        assertEquals(DownReason.HEARTBEAT_TIMEOUT, upDown.get(1).reason().orElseThrow());
        assertEquals(1, logged(Level.INFO, "node down a@h (HEARTBEAT_TIMEOUT: test)"));
        assertTrue(state("a@h").lastError().orElseThrow().contains("HEARTBEAT_TIMEOUT"));
    }

    @Test
    void aNodeThatConnectsToUsWithoutBeingDiscoveredIsAMemberButNotRedialled() {
        start();
        dist.up("x@h");
        time.runDue();
        assertEquals(Status.CONNECTED, state("x@h").status());
        dist.down("x@h", DownReason.CONNECTION_CLOSED);
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(0, dist.connectsTo("x@h"));
    }

    @Test
    void aDiscoveryAddedWhileRunningIsAskedAtTheNextRefresh() {
        sources.put("one", new Source("a@h:1"));
        start();
        Source late = new Source("b@h:2");
        loop.addDiscovery("two", "dns (service 9)", late);
        assertEquals(0, late.calls.get(), "not asked before the next refresh");
        time.advance(INTERVAL);
        assertEquals(1, late.calls.get());
        assertEquals(Set.of("a@h", "b@h"), discovered());
        assertEquals(1, dist.connectsTo("b@h"));
    }

    @Test
    void aStrayExceptionInsideARefreshDoesNotStopLaterRefreshes() {
        Source s = new Source("a@h:1");
        sources.put("s", s);
        dist.failMembersCall(2, new IllegalStateException("transport bug")); // the first refresh's (start reads them once before)
        start();
        assertEquals(0, dist.connects.size(), "the first refresh broke");
        assertEquals(1, logged(Level.SEVERE, "applying the discovered peers failed"));
        time.advance(INTERVAL);
        assertEquals(2, s.calls.get(), "the next refresh still came");
        assertEquals(1, dist.connectsTo("a@h"));
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(5, s.calls.get(), "one refresh per interval: no second chain of refreshes");
    }

    @Test
    void anEventSinkThatThrowsDoesNotStopTheLoop() {
        sources.put("s", new Source("a@h:1"));
        RuntimeSettings settings = new RuntimeSettings("1000", 1000, 2000, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, "keep");
        loop = new RefreshLoop(dist, settings, time, Runnable::run, new Random(42), e -> {
            throw new IllegalStateException("listener bug");
        });
        loop.addDiscovery("s", "s", sources.get("s"));
        loop.start();
        time.runDue();
        dist.accept("a@h");
        time.runDue();
        assertEquals(Status.CONNECTED, state("a@h").status(), "state updated despite the sink");
        dist.down("a@h", DownReason.CONNECTION_CLOSED);
        time.advance(Duration.ofMillis(BACKOFF_INITIAL_MS * 6 / 5));
        assertEquals(2, dist.connectsTo("a@h"), "and the reconnect still came");
    }

    @Test
    void aNodeDroppedFromDiscoveryWhileBackingOffIsNotRetried() {
        Source s = new Source("a@h:1");
        sources.put("s", s);
        start("1000", "keep");
        time.advance(Duration.ofMillis(950)); // the attempt fails late, so the refresh comes before the retry (80..120 ms)
        dist.refuse("a@h", "connection refused");
        time.runDue();
        NodeState backingOff = state("a@h");
        assertEquals(Status.BACKING_OFF, backingOff.status());
        s.set();
        time.advance(Duration.ofMillis(50)); // the refresh that no longer sees it; its retry was due later
        time.advance(Duration.ofSeconds(10));
        assertEquals(1, dist.connectsTo("a@h"), "the pending retry was cancelled");
        assertNull(state("a@h"), "forgotten: neither discovered nor connected");
    }

    @Test
    void theSnapshotIsImmutableAndReportsEveryState() {
        sources.put("s", new Source("a@h:1", "b@h:2"));
        start();
        dist.accept("a@h");
        time.runDue();
        ClusterSnapshot snap = loop.snapshot();
        assertEquals(Status.CONNECTED, snap.nodes().get(NodeName.parse("a@h")).status());
        assertEquals(Status.CONNECTING, snap.nodes().get(NodeName.parse("b@h")).status());
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> snap.nodes().clear());
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> snap.discovered().clear());
        assertEquals(Set.of(NodeName.parse("a@h")), dist.members());
    }

    @Test
    void aDiscoveryReturningNullCountsAsFailing() {
        Source s = new Source("a@h:1");
        sources.put("s", s);
        start();
        s.peers = null;
        time.advance(INTERVAL);
        assertEquals(Set.of("a@h"), discovered());
        assertEquals(1, logged(Level.WARNING, "discovery s failing: returned null"));
    }

    @Test
    void closingStopsRefreshesAndRetries() {
        Source s = new Source("a@h:1");
        sources.put("s", s);
        start();
        dist.refuse("a@h", "refused");
        time.runDue();
        loop.close();
        time.advance(INTERVAL.multipliedBy(5));
        assertEquals(1, s.calls.get());
        assertEquals(1, dist.connectsTo("a@h"));
        loop = null;
    }
}
