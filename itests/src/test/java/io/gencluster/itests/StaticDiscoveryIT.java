package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.assertNeverMember;
import static io.gencluster.itests.EmbeddedNodes.awaitDiscovered;
import static io.gencluster.itests.EmbeddedNodes.awaitMembers;
import static io.gencluster.itests.EmbeddedNodes.full;
import static io.gencluster.itests.EmbeddedNodes.names;
import static io.gencluster.itests.EmbeddedNodes.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.itests.node.FelixNode;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Several nodes, each a real Felix framework with SCR and ConfigAdmin running the built bundles,
 * configured only through ConfigAdmin, talking over real loopback sockets.
 */
class StaticDiscoveryIT {

    /** Longer than refresh (500 ms) + the largest backoff (500 ms) + jitter, several times over. */
    private static final Duration ABSENCE_WINDOW = Duration.ofMillis(2500);

    private EmbeddedNodes cluster;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        cluster = new EmbeddedNodes(test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    @Test
    void threeNodesWithStaticDiscoveryFormFullMesh() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        FelixNode b = cluster.start("b", "c00kie-for-integration-tests");
        FelixNode c = cluster.start("c", "c00kie-for-integration-tests");
        for (FelixNode n : new FelixNode[] {a, b, c}) {
            cluster.discover(n, "a", "b", "c");
            runtime(n);
        }
        awaitMembers(a, names("b", "c"));
        awaitMembers(b, names("a", "c"));
        awaitMembers(c, names("a", "b"));
    }

    @Test
    void aNodeDroppedFromTheListAndThenDisconnectedIsNotReconnected() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        FelixNode b = cluster.start("b", "c00kie-for-integration-tests");
        FelixNode c = cluster.start("c", "c00kie-for-integration-tests");
        cluster.discover(a, "a", "b", "c");
        runtime(a);
        awaitMembers(a, names("b", "c"));

        cluster.discover(a, "a", "b"); // c leaves a's list; keep (the default) leaves it connected
        awaitDiscovered(a, names("b"));
        assertEquals(names("b", "c"), a.members().orElseThrow(), a.describe());
        a.disconnect(full("c"));
        awaitMembers(a, names("b"));
        assertNeverMember(a, full("c"), ABSENCE_WINDOW);
        assertEquals(Optional.empty(), c.members(), "c has no runtime: it never dials a itself");
        assertEquals(Optional.empty(), b.members());
    }

    @Test
    void withRemovedNodesDisconnectANodeDroppedFromTheListIsDisconnected() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        cluster.start("b", "c00kie-for-integration-tests");
        cluster.start("c", "c00kie-for-integration-tests");
        cluster.discover(a, "a", "b", "c");
        runtime(a, "removed.nodes", "disconnect");
        awaitMembers(a, names("b", "c"));

        cluster.discover(a, "a", "b");
        awaitMembers(a, names("b"));
        assertNeverMember(a, full("c"), ABSENCE_WINDOW);
    }

    @Test
    void aNodeWithAWrongCookieIsRefusedAndNeverAMember() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        FelixNode b = cluster.start("b", "c00kie-for-integration-tests");
        FelixNode c = cluster.start("c", "not-the-c00kie-for-integration-tests");
        for (FelixNode n : new FelixNode[] {a, b, c}) {
            cluster.discover(n, "a", "b", "c");
            runtime(n);
        }
        awaitMembers(a, names("b"));
        awaitMembers(b, names("a"));
        assertNeverMember(a, full("c"), ABSENCE_WINDOW);
        assertNeverMember(b, full("c"), Duration.ZERO);
        assertEquals(Optional.of(Set.of()), c.members(), c.describe());
    }

    @Test
    void restartingTheStaticBundleWithOtherNodesChangesWhatIsConnectedWithoutRestartingTheRuntime() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        cluster.start("b", "c00kie-for-integration-tests");
        cluster.start("c", "c00kie-for-integration-tests");
        cluster.discover(a, "a", "b");
        runtime(a);
        awaitMembers(a, names("b"));
        long clusterService = a.clusterServiceId().orElseThrow();

        a.bundle("io.gencluster.discovery-static").stop();
        cluster.discover(a, "a", "c");
        a.bundle("io.gencluster.discovery-static").start();

        awaitMembers(a, names("b", "c")); // c connected; b kept (removed.nodes=keep)
        awaitDiscovered(a, names("c"));
        assertEquals(clusterService, a.clusterServiceId().orElseThrow(), "the runtime was not restarted");
        a.disconnect(full("b"));
        awaitMembers(a, names("c"));
        assertNeverMember(a, full("b"), ABSENCE_WINDOW); // b is no longer discovered: not reconnected
    }

    @Test
    void theDiscoveryTargetFilterChoosesWhichStrategiesAreUsed() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        cluster.start("b", "c00kie-for-integration-tests");
        cluster.discover(a, "a", "b");
        runtime(a, "discovery.target", "(gencluster.discovery=dns)");
        assertNeverMember(a, full("b"), ABSENCE_WINDOW); // the static strategy is not selected
        assertEquals(Optional.of(Set.of()), a.discovered());

        runtime(a, "discovery.target", "(gencluster.discovery=static)");
        awaitMembers(a, names("b"));
    }
}
