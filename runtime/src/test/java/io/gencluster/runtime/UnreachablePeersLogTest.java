package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.Peer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of discovered peers that refuse connections make a few log lines, not two per peer:
 * one for the discovery, one summary of the failures, and one more only when that changes.
 */
class UnreachablePeersLogTest {

    private static final Duration INTERVAL = Duration.ofMillis(1000);
    private static final int PEERS = 300;

    private final VirtualTimeScheduler time = new VirtualTimeScheduler();
    private final RecordingDist dist = new RecordingDist("self@h");
    private final LoopLog log = new LoopLog();
    private RefreshLoop loop;

    @AfterEach
    void stop() {
        loop.close();
        time.runDue();
        log.close();
    }

    /** Refuses every pending connect, as a closed port does at once. */
    private void refuseAll() {
        for (String node : dist.pending.keySet().stream().map(Object::toString).toList()) {
            dist.refuse(node, "cannot connect to " + node + " at 127.0.0.1:" + (10000 + node.hashCode() % 1000) + ": Connection refused");
        }
        time.runDue();
    }

    @Test
    void threeHundredPeersRefusingMakeOneSummaryLineOverThreeRefreshes() {
        Set<Peer> peers = new LinkedHashSet<>();
        for (int i = 0; i < PEERS; i++) {
            peers.add(Peer.parse("n" + i + "@h:" + (20000 + i)));
        }
        RuntimeSettings settings = new RuntimeSettings(String.valueOf(INTERVAL.toMillis()), 1000, 2000, 100, 800, "keep");
        loop = new RefreshLoop(dist, settings, time, Runnable::run, new Random(42), e -> { });
        loop.addDiscovery("static", "static", () -> peers);
        loop.start();
        time.runDue();
        refuseAll();
        // three refreshes, every retry in between refused again
        for (int ms = 0; ms < 3 * INTERVAL.toMillis(); ms += 50) {
            time.advance(Duration.ofMillis(50));
            refuseAll();
        }
        assertTrue(dist.connects.size() >= 3 * PEERS, "each peer was retried: " + dist.connects.size());

        List<String> lines = log.lines();
        assertTrue(lines.size() <= 4, "a few lines, not " + lines.size() + ": " + lines);
        List<String> discovered = log.containing("nodes discovered");
        assertEquals(1, discovered.size(), lines.toString());
        assertTrue(discovered.get(0).startsWith("300 nodes discovered: n") && discovered.get(0).endsWith(", ... (295 more)"),
                discovered.get(0));
        List<String> summary = log.containing("cannot connect to");
        assertEquals(1, summary.size(), lines.toString());
        assertTrue(summary.get(0).startsWith("cannot connect to 300 of 300 discovered node(s) (Connection refused: 300, e.g. n"),
                summary.get(0));

        // one comes back: the count changes, so one more line
        while (dist.pending.isEmpty()) {
            time.advance(Duration.ofMillis(50));
        }
        dist.accept(dist.pending.keySet().iterator().next().toString());
        time.advance(DialLog.SUMMARY_DELAY);
        refuseAll();
        assertEquals(2, log.containing("cannot connect to").size(), log.lines().toString());
        assertTrue(log.containing("cannot connect to").get(1).startsWith("cannot connect to 299 of 300"), log.lines().toString());
    }

    @Test
    void aFewFailingNodesAreNamedOneLineEach() {
        RuntimeSettings settings = new RuntimeSettings(String.valueOf(INTERVAL.toMillis()), 1000, 2000, 100, 800, "keep");
        loop = new RefreshLoop(dist, settings, time, Runnable::run, new Random(42), e -> { });
        loop.addDiscovery("static", "static", () -> Set.of(Peer.parse("a@h:1"), Peer.parse("b@h:2")));
        loop.start();
        time.runDue();
        refuseAll();
        time.advance(DialLog.SUMMARY_DELAY);
        assertEquals(2, log.containing("node discovered").size(), log.lines().toString());
        assertEquals(1, log.containing("cannot connect to a@h: cannot connect to a@h at").size(), log.lines().toString());
        assertEquals(1, log.containing("cannot connect to b@h: cannot connect to b@h at").size(), log.lines().toString());
    }
}
