package io.gencluster.itests.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every documented deployment, as documented, one node per host on five hosts: each forms a full
 * mesh, with exactly one connection per pair of nodes. The {@code .cfg} files are the ones the docs
 * tell a user to write; where a doc leaves a value to the user (a node's name, the cookie), it is
 * filled in as the doc says.
 */
class DeploymentsIT {

    private static final int HOSTS = 5;
    private static final Duration MESH = Duration.ofSeconds(60);

    /** examples/kubernetes as shipped: headless Service A records, one port, no port mapper in any pod. */
    @Test
    void theKubernetesExampleAsShippedFormsAMesh() throws Exception {
        KubernetesExample example = KubernetesExample.read(Path.of(System.getProperty("examples.dir")));
        try (HostCluster c = HostCluster.create(HOSTS, "kubernetes")) {
            List<String> pods = c.hosts().stream().map(Host::address).collect(Collectors.toList());
            c.network().startDnsmasq(c.host(HOSTS), DnsServer.POD_SEARCH,
                    Map.of("gen-cluster.default.svc.cluster.local", pods), List.of());
            for (Host h : c.hosts()) {
                example.writePodConf(c.conf(h), h.address(), c.cookieFile());
                c.start(h, "app@" + h.address());
            }
            long start = System.nanoTime();
            c.awaitFullMesh(MESH);
            System.out.printf("kubernetes example: full mesh of %d in %d ms%n", HOSTS, (System.nanoTime() - start) / 1_000_000);
            assertEquals(Map.of(), c.pairsWithoutOneConnection());
        }
    }

    /** statefulset.yaml: stable pod names, SRV records of the headless Service (port from the record). */
    @Test
    void theStatefulSetExampleWithSrvRecordsFormsAMesh() throws Exception {
        KubernetesExample example = KubernetesExample.read(Path.of(System.getProperty("examples.dir")));
        try (HostCluster c = HostCluster.create(HOSTS, "statefulset")) {
            Map<String, List<String>> a = new java.util.LinkedHashMap<>();
            List<DnsServer.Srv> srv = new ArrayList<>();
            for (Host h : c.hosts()) {
                String pod = podName(h) + ".gen-cluster.default.svc.cluster.local";
                a.put(pod, List.of(h.address()));
                srv.add(new DnsServer.Srv("_dist._tcp.gen-cluster.default.svc.cluster.local", pod, HostCluster.PORT));
            }
            c.network().startDnsmasq(c.host(HOSTS), DnsServer.POD_SEARCH, a, srv);
            for (Host h : c.hosts()) {
                example.writeStatefulSetPodConf(c.conf(h), podName(h), c.cookieFile());
                c.start(h, "app@" + podName(h) + ".gen-cluster.default.svc.cluster.local");
            }
            c.awaitFullMesh(MESH);
            assertEquals(Map.of(), c.pairsWithoutOneConnection());
        }
    }

    /** discovery-epmd-all/README.md "Example: two hosts", on five, with a system epmd on every host. */
    @Test
    void epmdAllWithAHostsListAndASystemEpmdPerHostFormsAMesh() throws Exception {
        epmdAllOnEveryHost(true);
    }

    /** The same with no epmd anywhere: the nodes' embedded port mappers must answer the other hosts. */
    @Test
    void epmdAllWithAHostsListAndNoSystemEpmdFormsAMesh() throws Exception {
        epmdAllOnEveryHost(false);
    }

    private static void epmdAllOnEveryHost(boolean systemEpmd) throws Exception {
        try (HostCluster c = HostCluster.create(HOSTS, systemEpmd ? "epmd-all-epmd" : "epmd-all-embedded")) {
            c.network().startDnsmasq(c.host(HOSTS), Map.of(), List.of()); // h1..h5 resolve, as host names do
            String hosts = c.hosts().stream().map(Host::name).collect(Collectors.joining(", "));
            for (Host h : c.hosts()) {
                if (systemEpmd) {
                    c.network().startEpmd(h);
                }
                Path conf = shippedConf(c, h);
                Files.writeString(conf.resolve("io.gencluster.discovery.epmd.cfg"), "hosts = " + hosts + "\n");
                c.start(h, "gencluster@" + h.name());
            }
            c.awaitFullMesh(MESH);
            assertEquals(Map.of(), c.pairsWithoutOneConnection());
        }
    }

    /** discovery-static/README.md "Example: two nodes", on five: one file, the same on every node. */
    @Test
    void aStaticListFormsAMesh() throws Exception {
        try (HostCluster c = HostCluster.create(HOSTS, "static")) {
            String nodes = c.hosts().stream().map(h -> "n" + h.index() + "@" + h.address() + ":" + HostCluster.PORT)
                    .collect(Collectors.joining(", "));
            for (Host h : c.hosts()) {
                Path conf = shippedConf(c, h);
                Files.delete(conf.resolve("io.gencluster.discovery.epmd.cfg"));
                Files.writeString(conf.resolve("io.gencluster.discovery.static.cfg"), "nodes = " + nodes + "\n");
                c.start(h, "n" + h.index() + "@" + h.address());
            }
            c.awaitFullMesh(MESH);
            assertEquals(Map.of(), c.pairsWithoutOneConnection());
        }
    }

    /**
     * The distribution's conf as shipped, with the cookie line distribution/README.md tells a user
     * to add (every node of a cluster shares it).
     */
    static Path shippedConf(HostCluster c, Host h) throws IOException {
        Path conf = c.conf(h);
        try (Stream<Path> files = Files.list(HostCluster.shippedConf())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, conf.resolve(f.getFileName()));
            }
        }
        Files.writeString(conf.resolve("io.gencluster.dist.tcp.cfg"), "cookie = " + c.cookie() + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        return conf;
    }

    private static String podName(Host h) {
        return "gen-cluster-" + (h.index() - 1);
    }
}
