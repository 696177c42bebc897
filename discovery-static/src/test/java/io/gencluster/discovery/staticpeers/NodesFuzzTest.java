package io.gencluster.discovery.staticpeers;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gencluster.api.Peer;

/**
 * The {@code nodes} value of {@code io.gencluster.discovery.static.cfg}, whatever it holds: it
 * never fails as a whole; every entry becomes a peer or a rejection naming that entry, and each
 * peer reads back as itself.
 */
class NodesFuzzTest {

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void anyNodesValueGivesPeersAndNamedRejections(String nodes) {
        if (nodes == null) {
            return; // a missing key is the default, never text
        }
        StaticDiscovery d = new StaticDiscovery(java.util.List.of(nodes));
        for (Peer p : d.peers()) {
            if (!Peer.parse(p.toString()).equals(p)) {
                throw new AssertionError(p + " does not read back as itself");
            }
        }
        for (String rejection : d.rejected()) {
            if (rejection == null || rejection.isBlank()) {
                throw new AssertionError("a rejection without a reason in " + d.rejected());
            }
        }
        int entries = nodes.trim().isEmpty() ? 0 : nodes.trim().split("[,\\s]+").length;
        if (d.peers().size() + d.rejected().size() > entries) {
            throw new AssertionError(entries + " entries gave " + d.peers() + " and " + d.rejected());
        }
    }
}
