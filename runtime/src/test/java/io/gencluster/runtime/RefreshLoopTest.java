package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState.Status;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** The loop's refreshes, connects, retries and events, on virtual time. */
class RefreshLoopTest extends RefreshLoopFixture {

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
        startAccepting(new Source("a@h:1", "b@h:2", "hung@h:3"), "a@h", "b@h");
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
