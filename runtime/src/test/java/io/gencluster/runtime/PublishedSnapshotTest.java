package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.NodeState.Status;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the loop publishes for readers ({@code Cluster.nodes()}, {@code discovered()}): a new
 * snapshot when anything in it changed, the same one after a refresh that changed nothing (a
 * refresh with 99 connected peers allocated 40.8 KiB while it built a new one each time; see
 * BENCHMARKS.md), and a node's state object kept while that node's state stays as it was.
 */
class PublishedSnapshotTest extends RefreshLoopFixture {

    private final Source source = new Source("a@h:1", "b@h:2");

    /** Starts the loop with a@h and b@h discovered and connected. */
    private void connected() {
        startAccepting(source, "a@h", "b@h");
        assertEquals(Status.CONNECTED, state("a@h").status());
        assertEquals(Status.CONNECTED, state("b@h").status());
    }

    @Test
    void aRefreshThatChangesNothingKeepsTheSnapshotReadersHave() {
        connected();
        ClusterSnapshot before = loop.snapshot();
        int calls = source.calls.get();
        time.advance(INTERVAL.multipliedBy(3));
        assertEquals(calls + 3, source.calls.get(), "three refreshes ran");
        assertSame(before, loop.snapshot());
    }

    @Test
    void aChangeIsPublishedAndTheNodesThatDidNotChangeKeepTheirState() {
        connected();
        ClusterSnapshot before = loop.snapshot();

        source.set("a@h:1", "b@h:2", "c@h:3");
        time.advance(INTERVAL);
        ClusterSnapshot found = loop.snapshot();
        assertNotSame(before, found);
        assertEquals(Set.of("a@h", "b@h", "c@h"), discovered());
        assertEquals(Status.CONNECTING, state("c@h").status());
        assertSame(before.nodes().get(NodeName.parse("a@h")), found.nodes().get(NodeName.parse("a@h")));

        dist.down("b@h", DownReason.CONNECTION_CLOSED);
        time.runDue();
        NodeState b = state("b@h");
        assertEquals(Status.BACKING_OFF, b.status());
        assertTrue(b.lastError().orElseThrow().contains("CONNECTION_CLOSED"), b.lastError().orElseThrow());
        assertTrue(b.nextAttempt().isPresent());

        dist.refuse("c@h", "connection refused");
        time.runDue();
        NodeState c = state("c@h");
        assertEquals(Status.BACKING_OFF, c.status());
        assertEquals(1, c.failures());
        time.advance(Duration.between(time.now(), c.nextAttempt().orElseThrow()));
        dist.refuse("c@h", "connection reset");
        time.runDue();
        NodeState again = state("c@h");
        assertEquals(Status.BACKING_OFF, again.status());
        assertEquals(2, again.failures(), "a second failure is published");
        assertTrue(again.nextAttempt().orElseThrow().isAfter(c.nextAttempt().orElseThrow()), "a later attempt is published");
        assertTrue(again.lastError().orElseThrow().contains("connection reset"), "the new error is published: " + again.lastError());
    }
}
