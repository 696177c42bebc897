package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.assertNeverMember;
import static io.gencluster.itests.EmbeddedNodes.awaitMembers;
import static io.gencluster.itests.EmbeddedNodes.names;
import static io.gencluster.itests.EmbeddedNodes.runtime;

import io.gencluster.itests.node.FelixNode;
import io.gencluster.testing.Certificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS configured through ConfigAdmin in real frameworks: a mesh forms with certificates from the
 * trusted CA; a node whose certificate comes from another CA, and a node without TLS, never
 * become members. Certificates are made for each run with the JDK's keytool.
 */
class TlsIT {

    private static final String PW = Certificates.PW;
    private static Path certs;
    private final List<FelixNode> nodes = new ArrayList<>();
    private EmbeddedNodes cluster;

    @BeforeAll
    static void certificates() throws Exception {
        certs = Files.createDirectories(Path.of(System.getProperty("work.dir"), "certs-" + System.nanoTime()));
        for (String ca : List.of("ca", "other-ca")) {
            Certificates.ca(certs, ca);
            Certificates.trust(certs, ca + "-trust", ca);
        }
        for (String[] node : new String[][] {{"a", "ca"}, {"b", "ca"}, {"c", "ca"}, {"d", "other-ca"}}) {
            Certificates.node(certs, node[0], node[1], "ip:127.0.0.1");
        }
    }

    private static String file(String name) {
        return certs.resolve(name).toString();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A node with TLS from its own key store and the given CA's trust store (or plaintext when ca is null). */
    private FelixNode node(String name, String ca) throws Exception {
        FelixNode n = cluster.start(name, "c00kie-for-integration-tests");
        Map<String, String> dist = new LinkedHashMap<>(Map.of("node.name", name + "@127.0.0.1", "bind.address", "127.0.0.1",
                "port", String.valueOf(cluster.ports.get(name)), "cookie", "c00kie-for-integration-tests", "epmd.register", "false",
                "mesh.transitive", "false"));
        if (ca != null) {
            dist.putAll(Map.of("tls.enabled", "true", "tls.keystore", file(name + ".p12"), "tls.keystore.password", PW,
                    "tls.truststore", file(ca + "-trust.p12"), "tls.truststore.password", PW, "tls.verify.name", "host"));
        }
        n.configure("io.gencluster.dist.tcp", dist);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // the transport restarts with TLS on its recorded port; wait until it is registered again
        while (n.distPort().isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        nodes.add(n);
        return n;
    }

    @Test
    void aTlsMeshFormsAndNodesWithAnotherCaOrWithoutTlsStayOut() throws Exception {
        cluster = new EmbeddedNodes("tls");
        FelixNode a = node("a", "ca");
        FelixNode b = node("b", "ca");
        FelixNode c = node("c", "ca");
        FelixNode d = node("d", "other-ca");
        FelixNode e = node("e", null);
        for (FelixNode n : nodes) {
            cluster.discover(n, "a", "b", "c", "d", "e");
            runtime(n);
        }
        awaitMembers(a, names("b", "c"));
        awaitMembers(b, names("a", "c"));
        awaitMembers(c, names("a", "b"));
        for (String outsider : List.of("d@127.0.0.1", "e@127.0.0.1")) {
            assertNeverMember(a, outsider, Duration.ofMillis(1500));
        }
        awaitMembers(d, names());
        awaitMembers(e, names());
    }
}
