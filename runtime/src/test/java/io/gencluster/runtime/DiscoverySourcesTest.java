package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.Peer;
import io.gencluster.spi.DiscoveryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** How the loop asks its discovery sources and merges, keeps or drops their answers, on virtual time. */
class DiscoverySourcesTest extends RefreshLoopFixture {

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
    void aDiscoveryReturningNullCountsAsFailing() {
        Source s = new Source("a@h:1");
        sources.put("s", s);
        start();
        s.peers = null;
        time.advance(INTERVAL);
        assertEquals(Set.of("a@h"), discovered());
        assertEquals(1, logged(Level.WARNING, "discovery s failing: returned null"));
    }
}
