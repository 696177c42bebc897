package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.DownReason;
import io.gencluster.api.NodeState.Status;
import io.gencluster.api.NodeState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection that had lived at least {@code reconnect.backoff.initial.ms} is redialled within a
 * fifth of it when the peer closes it or falls silent; every other drop, and a redial that fails,
 * waits the backoff. On virtual time: initial backoff 100 ms, so a prompt redial comes within 20 ms
 * and a backed-off one not before 80 ms.
 */
class PromptRedialTest extends RefreshLoopFixture {

    private static final Duration LONG_LIVED = Duration.ofMillis(BACKOFF_INITIAL_MS);
    private static final Duration PROMPT = Duration.ofMillis(BACKOFF_INITIAL_MS / 5);
    private static final Duration SOONEST_BACKOFF = Duration.ofMillis(BACKOFF_INITIAL_MS * 4 / 5);

    /** Starts the loop with {@code nodes} discovered and connected, and lets them live {@code lived}. */
    private void connectedFor(Duration lived, String... nodes) {
        String[] peers = new String[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            peers[i] = nodes[i] + ":" + (i + 1);
        }
        startAccepting(new Source(peers), nodes);
        time.advance(lived);
    }

    @ParameterizedTest
    @EnumSource(value = DownReason.class, names = {"CONNECTION_CLOSED", "HEARTBEAT_TIMEOUT"})
    void aLongLivedConnectionThatDropsIsRedialledWithinAFifthOfTheInitialBackoff(DownReason reason) {
        connectedFor(LONG_LIVED, "a@h");
        Instant dropped = time.now();
        dist.down("a@h", reason);
        time.runDue();
        NodeState s = state("a@h");
        assertEquals(Status.BACKING_OFF, s.status());
        assertEquals(0, s.failures(), "a drop is not a failed attempt");
        assertTrue(!s.nextAttempt().orElseThrow().isAfter(dropped.plus(PROMPT)), "next attempt " + s.nextAttempt());
        assertTrue(s.lastError().orElseThrow().contains(reason.name()), s.lastError().orElseThrow());
        time.advance(PROMPT);
        assertEquals(2, dist.connectsTo("a@h"));
        dist.accept("a@h");
        time.runDue();
        assertEquals(Status.CONNECTED, state("a@h").status());
    }

    @Test
    void aConnectionThatDropsSoonerWaitsTheBackoff() {
        connectedFor(LONG_LIVED.minusMillis(1), "a@h");
        dist.down("a@h", DownReason.CONNECTION_CLOSED);
        time.advance(SOONEST_BACKOFF.minusMillis(1));
        assertEquals(1, dist.connectsTo("a@h"), "redialled before the backoff");
        assertEquals(1, state("a@h").failures());
        time.advance(Duration.ofMillis(BACKOFF_INITIAL_MS * 2 / 5));
        assertEquals(2, dist.connectsTo("a@h"));
    }

    @ParameterizedTest
    @EnumSource(value = DownReason.class, names = {"PROTOCOL_ERROR", "DISCONNECTED"})
    void aProtocolErrorOrThisNodesOwnDisconnectWaitsTheBackoffHoweverLongTheConnectionLived(DownReason reason) {
        connectedFor(Duration.ofMinutes(10), "a@h");
        dist.down("a@h", reason);
        time.advance(SOONEST_BACKOFF.minusMillis(1));
        assertEquals(1, dist.connectsTo("a@h"), "redialled before the backoff after " + reason);
    }

    @Test
    void aPromptRedialThatFailsWaitsTheInitialBackoffAndThenBacksOffAsAfterAnyDrop() {
        connectedFor(LONG_LIVED, "a@h");
        dist.down("a@h", DownReason.HEARTBEAT_TIMEOUT);
        time.advance(PROMPT);
        assertEquals(2, dist.connectsTo("a@h"));
        dist.refuse("a@h", "connection refused");
        time.runDue();
        Instant refused = time.now();
        NodeState s = state("a@h");
        assertEquals(1, s.failures());
        assertTrue(!s.nextAttempt().orElseThrow().isBefore(refused.plus(SOONEST_BACKOFF)), "next attempt " + s.nextAttempt());
        time.advance(Duration.ofMillis(BACKOFF_INITIAL_MS * 6 / 5));
        assertEquals(3, dist.connectsTo("a@h"));
        dist.refuse("a@h", "connection refused");
        time.runDue();
        assertEquals(2, state("a@h").failures());
        assertTrue(!state("a@h").nextAttempt().orElseThrow().isBefore(time.now().plus(SOONEST_BACKOFF.multipliedBy(2))));
    }

    /** However its connections end, a peer is dialled at most once per initial backoff, plus the first dial. */
    @Test
    void aPeerWhoseConnectionsKeepDroppingIsDialledAtMostOncePerInitialBackoff() {
        connectedFor(Duration.ZERO, "a@h");
        Instant from = time.now();
        for (int cycle = 0; cycle < 40; cycle++) {
            time.advance(Duration.ofMillis(cycle % 2 == 0 ? BACKOFF_INITIAL_MS : BACKOFF_INITIAL_MS / 2));
            int before = dist.connectsTo("a@h");
            dist.down("a@h", cycle % 3 == 0 ? DownReason.HEARTBEAT_TIMEOUT : DownReason.CONNECTION_CLOSED);
            while (dist.connectsTo("a@h") == before) {
                time.advance(Duration.ofMillis(1));
            }
            dist.accept("a@h");
            time.runDue();
        }
        long elapsedMs = Duration.between(from, time.now()).toMillis();
        int dials = dist.connectsTo("a@h");
        assertEquals(41, dials);
        assertTrue(dials <= 1 + elapsedMs / BACKOFF_INITIAL_MS, dials + " dials in " + elapsedMs + " ms");
    }

    /** Many peers dropped at the same moment (this node's pause, a switch) are not all redialled in the same millisecond. */
    @Test
    void peersThatDropTogetherAreRedialledSpreadOverTheWindow() {
        String[] nodes = new String[50];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = "n" + i + "@h";
        }
        connectedFor(LONG_LIVED, nodes);
        Instant dropped = time.now();
        for (String n : nodes) {
            dist.down(n, DownReason.CONNECTION_CLOSED);
        }
        time.runDue();
        Set<Instant> at = new HashSet<>();
        for (String n : nodes) {
            Instant next = state(n).nextAttempt().orElseThrow();
            assertTrue(!next.isAfter(dropped.plus(PROMPT)), n + " next attempt " + next);
            at.add(next);
        }
        assertTrue(at.size() >= 12, "50 redials fall on " + at.size() + " distinct milliseconds of " + PROMPT.toMillis());
        time.advance(PROMPT);
        List<String> notRedialled = new ArrayList<>();
        for (String n : nodes) {
            if (dist.connectsTo(n) != 2) {
                notRedialled.add(n);
            }
        }
        assertEquals(List.of(), notRedialled);
    }

    @Test
    void withRefreshesOffADroppedNodeIsStillNotRedialled() {
        sources.put("s", new Source("a@h:1"));
        start("infinity", "keep");
        dist.accept("a@h");
        dropAfterAMinute("a@h");
        assertEquals(1, dist.connectsTo("a@h"));
        assertEquals(Status.DISCONNECTED, state("a@h").status());
    }

    @Test
    void aNodeThatConnectedWithoutBeingDiscoveredIsNotRedialled() {
        start();
        dist.up("x@h");
        dropAfterAMinute("x@h");
        assertEquals(0, dist.connectsTo("x@h"));
    }

    /** {@code node}'s connection lives a minute, the peer closes it, and a minute more passes. */
    private void dropAfterAMinute(String node) {
        time.runDue();
        time.advance(Duration.ofMinutes(1));
        dist.down(node, DownReason.CONNECTION_CLOSED);
        time.advance(Duration.ofMinutes(1));
    }
}
