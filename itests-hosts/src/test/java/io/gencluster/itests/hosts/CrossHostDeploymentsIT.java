package io.gencluster.itests.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two more documented deployments across hosts, as the docs tell a user to set them up: JVM nodes
 * speaking Erlang's distribution beside real {@code erl} nodes (docs/erlang.md "Joining an Erlang
 * cluster", dist-erlang/README.md, discovery-epmd-all's {@code include.foreign}), and dist-tcp
 * over TLS with a certificate per host and host name verification (docs/security.md, keys
 * {@code tls.*}).
 * Node names are long ({@code name@hN.gen-cluster.test}): every host resolves them through the
 * network's dnsmasq.
 */
class CrossHostDeploymentsIT {

    private static final int HOSTS = 5;
    private static final int JVM_HOSTS = 3;
    private static final Duration MESH = Duration.ofSeconds(60);
    /** The shipped refresh interval is 5 s: an impostor is tried several times within this. */
    private static final Duration REFUSED = Duration.ofSeconds(20);

    /**
     * Hosts h1..h3 run a distribution node configured for dist-erlang (dist-tcp's file removed, the
     * dist-erlang file added), h4 and h5 a real {@code erl -name}; every host a system epmd;
     * discovery epmd-all over every host with {@code include.foreign = true}.
     */
    @Test
    void distErlangNodesAndRealErlangNodesOnOtherHostsFormACluster() throws Exception {
        try (HostCluster c = HostCluster.create(HOSTS, "dist-erlang")) {
            c.network().startDnsmasq(c.host(HOSTS), Map.of(), List.of());
            String hosts = c.hosts().stream().map(h -> fqdn(h)).collect(Collectors.joining(", "));
            Set<String> all = new TreeSet<>();
            Set<String> jvm = new TreeSet<>();
            List<ErlangNode> erlang = new ArrayList<>();
            long start = System.nanoTime();
            for (Host h : c.hosts()) {
                c.network().startEpmd(h);
                if (h.index() <= JVM_HOSTS) {
                    String name = "gencluster@" + fqdn(h);
                    writeDistErlangConf(c, h, name, hosts);
                    c.start(h, name);
                    jvm.add(name);
                    all.add(name);
                } else {
                    String name = "e" + h.index() + "@" + fqdn(h);
                    erlang.add(ErlangNode.start(c.network(), h, name, c.cookie(),
                            c.network().workDir().resolve(h.name() + "-erl.log")));
                    all.add(name);
                }
            }
            long deadline = System.nanoTime() + MESH.toNanos();
            for (HostNode n : c.nodes()) {
                n.awaitReady(left(deadline));
                Set<String> others = new TreeSet<>(all);
                others.remove(n.name());
                n.awaitMembers(others, left(deadline));
            }
            for (ErlangNode e : erlang) {
                String line = e.awaitHidden(jvm, left(deadline));
                System.out.printf("dist-erlang: %s sees %s%n", e.name(), line);
            }
            System.out.printf("dist-erlang: %d JVM + %d erl nodes connected in %d ms%n", jvm.size(), erlang.size(),
                    (System.nanoTime() - start) / 1_000_000);
            // every pair with a JVM node in it is connected once (erl nodes are not asked to meet each other)
            Map<String, Integer> wrong = new TreeMap<>(c.connectionsPerPair());
            wrong.entrySet().removeIf(e -> e.getValue() == 1 || !hasJvmHost(e.getKey()));
            assertEquals(Map.of(), wrong);
        }
    }

    /**
     * dist-tcp with {@code tls.enabled} and {@code tls.verify.hostname}: a CA made for the test, a
     * certificate per host naming {@code hN.gen-cluster.test}, {@code hN} and its address; epmd-all
     * over every host. The five form a full mesh with one connection per pair; a sixth node whose
     * certificate (from the same CA) names h5 instead of its own host is refused.
     */
    @Test
    void tlsWithACertificatePerHostFormsAMeshAndRefusesAWrongHostCertificate() throws Exception {
        try (HostCluster c = HostCluster.create(HOSTS + 1, "tls")) {
            c.network().startDnsmasq(c.host(HOSTS), Map.of(), List.of());
            Certificates certs = Certificates.createCa(c.network().workDir().resolve("pki-" + System.nanoTime()));
            String hosts = c.hosts().stream().map(h -> fqdn(h)).collect(Collectors.joining(", "));
            for (Host h : c.hosts()) {
                c.network().startEpmd(h);
            }
            long start = System.nanoTime();
            for (int i = 1; i <= HOSTS; i++) {
                Host h = c.host(i);
                Certificates.NodeFiles files = certs.issue(h.name(), List.of(fqdn(h), h.name()), List.of(h.address()));
                writeTlsConf(c, h, files, hosts);
                c.start(h, "gencluster@" + fqdn(h));
            }
            c.awaitFullMesh(MESH);
            System.out.printf("tls: full mesh of %d in %d ms%n", HOSTS, (System.nanoTime() - start) / 1_000_000);
            assertEquals(Map.of(), c.pairsWithoutOneConnection());

            Host impostor = c.host(HOSTS + 1);
            Host named = c.host(HOSTS);
            Certificates.NodeFiles wrong = certs.issue(impostor.name() + "-naming-" + named.name(),
                    List.of(fqdn(named), named.name()), List.of(named.address()));
            writeTlsConf(c, impostor, wrong, hosts);
            String impostorName = "gencluster@" + fqdn(impostor);
            HostNode bad = c.start(impostor, impostorName);
            bad.awaitReady(HostCluster.START);
            assertNeverMember(c, impostorName, REFUSED);
            // the nodes it dials refuse it (dist-tcp's message), and it cannot verify those it dials (the JDK's)
            String reason = "claiming to be " + impostorName + " does not name host " + fqdn(impostor);
            List<Path> logs = logsOf(c);
            List<String> refusing = logs.stream().filter(l -> contains(l, reason)).map(l -> l.getFileName().toString()).toList();
            System.out.printf("tls: %s refused in %s%n", impostorName, refusing);
            assertFalse(refusing.isEmpty(), "no node logged a refusal of " + impostorName + " with '" + reason + "' in " + logs);
            assertEquals(Map.of(), c.pairsWithoutOneConnection().entrySet().stream()
                    .filter(e -> !e.getKey().contains(impostor.name()))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        }
    }

    /**
     * For {@code bound}, asks every node but the impostor for its members, again and again: the
     * impostor must never be one, and the impostor must never have any member.
     */
    private static void assertNeverMember(HostCluster c, String impostor, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() - deadline < 0) {
            for (HostNode n : c.nodes()) {
                String reply = n.command("members", "PROBE MEMBERS ", HostNode.COMMAND_TIMEOUT);
                String[] w = reply.split(" ");
                Set<String> members = w.length > 3 ? Set.of(w[3].split(",")) : Set.of();
                if (n.name().equals(impostor)) {
                    assertEquals(Set.of(), members, impostor + " has members");
                } else {
                    assertFalse(members.contains(impostor), n.name() + " lists " + impostor + " as a member: " + reply);
                }
            }
        }
    }

    private static void writeDistErlangConf(HostCluster c, Host h, String name, String hosts) throws IOException {
        Path conf = DeploymentsIT.shippedConf(c, h);
        Files.delete(conf.resolve("io.gencluster.dist.tcp.cfg"));
        Files.writeString(conf.resolve("io.gencluster.dist.erlang.cfg"),
                "node.name = " + name + "\ncookie = " + c.cookie() + "\nport = " + HostCluster.PORT + "\n");
        Files.writeString(conf.resolve("io.gencluster.discovery.epmd.cfg"),
                "hosts = " + hosts + "\ninclude.foreign = true\n");
        Files.writeString(conf.resolve("io.gencluster.cfg"), "dist.target = (gencluster.dist=erlang)\n",
                StandardOpenOption.APPEND);
    }

    private static void writeTlsConf(HostCluster c, Host h, Certificates.NodeFiles files, String hosts)
            throws IOException {
        Path conf = DeploymentsIT.shippedConf(c, h);
        Files.writeString(conf.resolve("io.gencluster.dist.tcp.cfg"), files.tlsConf(), StandardOpenOption.APPEND);
        Files.writeString(conf.resolve("io.gencluster.discovery.epmd.cfg"), "hosts = " + hosts + "\n");
    }

    private static List<Path> logsOf(HostCluster c) throws IOException {
        try (var files = Files.list(c.workDir())) {
            return files.filter(p -> p.getFileName().toString().matches("h\\d+-\\d+\\.log")).toList();
        }
    }

    private static boolean contains(Path log, String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasJvmHost(String pair) {
        for (String h : pair.split("-")) {
            if (Integer.parseInt(h.substring(1)) <= JVM_HOSTS) {
                return true;
            }
        }
        return false;
    }

    private static String fqdn(Host h) {
        return DnsServer.qualify(h.name());
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }
}
