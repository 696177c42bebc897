package io.gencluster.discovery.staticpeers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StaticDiscoveryTest {

    @Test
    void listedNodesAreDiscoveredWithTheirPorts() {
        StaticDiscovery d = new StaticDiscovery(List.of("a@host1", "b@127.0.0.1:4371", "c@[::1]:4372"));
        assertEquals(Set.of(
                Peer.of(NodeName.of("a", "host1")),
                Peer.of(NodeName.of("b", "127.0.0.1"), 4371),
                Peer.of(NodeName.of("c", "::1"), 4372)), d.peers());
        assertTrue(d.rejected().isEmpty());
    }

    @Test
    void oneCommaSeparatedValueFromACfgFileGivesEveryEntry() {
        StaticDiscovery d = new StaticDiscovery(List.of(" a@h:1, b@h:2\tc@h:3 "));
        assertEquals(3, d.peers().size());
    }

    @Test
    void invalidEntriesAreReportedByNameAndTheRestStillWork() {
        StaticDiscovery d = new StaticDiscovery(List.of("good@h:1", "no-at-sign", "bad.name@h", "x@h:99999", "y@h:port"));
        assertEquals(Set.of(Peer.of(NodeName.of("good", "h"), 1)), d.peers());
        List<String> rejected = d.rejected();
        assertEquals(4, rejected.size());
        assertTrue(rejected.get(0).contains("'no-at-sign'"), rejected.get(0));
        assertTrue(rejected.get(1).contains("name part 'bad.name'"), rejected.get(1));
        assertTrue(rejected.get(2).contains("99999"), rejected.get(2));
        assertTrue(rejected.get(3).contains("'port'"), rejected.get(3));
    }

    @Test
    void anEmptyListDiscoversNothing() {
        assertTrue(new StaticDiscovery(List.of()).peers().isEmpty());
    }
}
