package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState.Status;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What becomes of a node no longer discovered ({@code removed.nodes}: keep or disconnect), on virtual time. */
class RemovedNodesTest extends RefreshLoopFixture {

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
}
