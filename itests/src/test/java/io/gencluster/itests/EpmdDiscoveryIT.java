package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.itests.node.FelixNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nodes configured with epmd-all discovery and nothing else (beyond the test's EPMD port), against
 * a real epmd from Erlang/OTP and against the port mapper the nodes embed when none runs.
 */
class EpmdDiscoveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private Path work;
    private ErlangProcesses erlang;
    private int epmdPort;
    private final List<FelixNode> nodes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createDirectories(Path.of(System.getProperty("work.dir"), "epmd-" + System.nanoTime()));
        erlang = new ErlangProcesses(work.resolve("erlang"));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            epmdPort = s.getLocalPort();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (FelixNode n : nodes) {
            n.close();
        }
        erlang.close();
    }

    /** A node whose only discovery is epmd-all with its defaults (hosts = its own host). */
    private FelixNode node(String name, String... discoveryExtra) throws Exception {
        FelixNode n = new FelixNode(Path.of(System.getProperty("bundles.dir")), work.resolve(name));
        nodes.add(n);
        n.start();
        n.configure("io.gencluster.dist.tcp", Map.of("node.name", name + "@127.0.0.1", "bind.address", "127.0.0.1",
                "port", "0", "cookie", "c00kie-for-integration-tests", "epmd.port", String.valueOf(epmdPort)));
        Map<String, String> discovery = new java.util.HashMap<>(Map.of("epmd.port", String.valueOf(epmdPort)));
        for (int i = 0; i < discoveryExtra.length; i += 2) {
            discovery.put(discoveryExtra[i], discoveryExtra[i + 1]);
        }
        n.configure("io.gencluster.discovery.epmd", discovery);
        EmbeddedNodes.runtime(n);
        return n;
    }

    private void awaitMesh(FelixNode... mesh) throws InterruptedException {
        for (int i = 0; i < mesh.length; i++) {
            Set<String> others = new java.util.TreeSet<>();
            for (int j = 0; j < mesh.length; j++) {
                if (j != i) {
                    others.add("n" + (j + 1) + "@127.0.0.1");
                }
            }
            await("members of n" + (i + 1), mesh[i]::members, Optional.of(others));
        }
    }

    private Map<String, Integer> names() {
        try {
            return new EpmdClient("127.0.0.1", epmdPort, Duration.ofSeconds(2)).names();
        } catch (Exception e) {
            return Map.of("error", 0);
        }
    }

    /** Starts the real epmd, or, for the embedded case, nothing: the first node will serve one. */
    private void portMapper(boolean realEpmd) throws Exception {
        if (realEpmd) {
            erlang.epmd(epmdPort);
        }
    }

    @ParameterizedTest(name = "real epmd: {0}")
    @ValueSource(booleans = {true, false})
    void threeNodesFormAMeshShowInEpmdNamesAndUnregisterWhenStopped(boolean realEpmd) throws Exception {
        portMapper(realEpmd);
        FelixNode n1 = node("n1");
        await("n1 registered", () -> names().containsKey("n1"), true);
        FelixNode n2 = node("n2");
        FelixNode n3 = node("n3");
        awaitMesh(n1, n2, n3);
        String listed = erlang.names(epmdPort); // Erlang's own epmd -names, against either port mapper
        for (String n : List.of("n1", "n2", "n3")) {
            assertTrue(listed.contains("name " + n + " at port"), listed);
        }

        nodes.remove(n3);
        n3.close();
        await("n3 unregistered when its node stopped", () -> names().containsKey("n3"), false);
        assertTrue(erlang.names(epmdPort).contains("name n1 at port"));
    }

    @ParameterizedTest(name = "real epmd: {0}")
    @ValueSource(booleans = {true, false})
    void aRealErlangNodeIsListedAndIncludedOnlyWithIncludeForeign(boolean realEpmd) throws Exception {
        portMapper(realEpmd);
        FelixNode n1 = node("n1");
        await("n1 registered", () -> names().containsKey("n1"), true);
        erlang.erl("erlnode", epmdPort);
        await("erl registered", () -> names().containsKey("erlnode"), true);
        NodeEntry erl = new EpmdClient("127.0.0.1", epmdPort, Duration.ofSeconds(2)).portPlease("erlnode");
        assertFalse(erl.isGenCluster(), "an Erlang node carries no gen-cluster marker");
        assertEquals(NodeEntry.NORMAL, erl.nodeType);

        FelixNode n2 = node("n2", "include.foreign", "true");
        awaitMesh(n1, n2);
        await("n1 skips the Erlang node", n1::discovered, Optional.of(Set.of("n2@127.0.0.1")));
        await("n2 includes it", n2::discovered, Optional.of(Set.of("n1@127.0.0.1", "erlnode@127.0.0.1")));
    }

    /**
     * A dist-tcp node told to include foreign nodes finds a real Erlang node but does not dial it
     * with its own handshake, over any number of refreshes: the node's row says why, with no
     * failed attempt counted.
     */
    @org.junit.jupiter.api.Test
    void aDistTcpNodeDoesNotDialARealErlangNodeItDiscovers() throws Exception {
        erlang.epmd(epmdPort);
        erlang.erl("erlnode", epmdPort);
        await("erl registered", () -> names().containsKey("erlnode"), true);
        FelixNode n1 = node("n1", "include.foreign", "true");
        await("n1 includes it", n1::discovered, Optional.of(Set.of("erlnode@127.0.0.1")));
        try (Gogo gogo = Gogo.open(n1, TIMEOUT)) {
            for (int i = 0; i < 3; i++) {
                assertTrue(gogo.execute("cluster:refresh").startsWith("refreshed: 1 peer(s) discovered"));
            }
            String row = gogo.execute("cluster:status").lines().filter(l -> l.startsWith("erlnode@127.0.0.1 ")).findFirst()
                    .orElseThrow(() -> new AssertionError(n1.describe()));
            List<String> words = List.of(row.trim().split("\\s+"));
            assertEquals(List.of("erlnode@127.0.0.1", "disconnected", "yes", "0", "-", "not", "dialled:", "it", "speaks", "erlang,"),
                    words.subList(0, 10), "never dialled, over 4 refreshes: " + row);
        }
    }
}
