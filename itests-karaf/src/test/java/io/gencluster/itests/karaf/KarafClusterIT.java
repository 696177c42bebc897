package io.gencluster.itests.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two real Apache Karaf 4.4 instances, set up as an operator would: add the gen-cluster features
 * repository, install the features, drop {@code .cfg} files into {@code etc/}. They form a
 * cluster over static discovery; then static discovery is uninstalled and EPMD discovery
 * installed while the cluster component runs, and it must use the new strategy without being
 * restarted.
 *
 * <p>What the test reads is what an operator reads: {@code feature:list} over ssh, and the
 * runtime's lines in {@code data/log/karaf.log} (node up / node down, discovery gone / bound,
 * cluster running / stopped). Each test continues from where the one before left the instances;
 * the last installs DNS discovery, whose dnsjava needs Karaf's pax-logging.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KarafClusterIT {

    private static final String VERSION = System.getProperty("gencluster.version");
    private static final String FEATURES_REPOSITORY = "mvn:io.gencluster/features/" + VERSION + "/xml/features";
    private static final String HOST = "127.0.0.1";
    /** Karaf boots in 10–25 s on a busy two-core machine; both boot at once. */
    private static final Duration BOOT = Duration.ofSeconds(150);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static KarafInstance a;
    private static KarafInstance b;
    private static int distPortA;
    private static int distPortB;
    private static int movedPortB;
    private static int epmdPort;
    /** A loopback port nothing listens on (UDP here): DNS queries to it fail. */
    private static int noDnsPort;
    private static String cookie;

    @BeforeAll
    static void startTwoKarafs() throws Exception {
        Path work = Path.of(System.getProperty("karaf.work.dir"));
        deleteTree(work); // the previous run's instances; this run's stay for reading after a failure
        Path distribution = Path.of(System.getProperty("karaf.dist.dir"));
        Path repository = Path.of(System.getProperty("karaf.repository.dir"));
        Path javaHome = java17();

        int[] ports = freePorts(11);
        distPortA = ports[6];
        distPortB = ports[7];
        movedPortB = ports[8];
        epmdPort = ports[9];
        noDnsPort = ports[10];
        cookie = HexFormat.of().formatHex(randomBytes(16));

        Path key = KarafInstance.clientKey(work);
        a = KarafInstance.create("a", distribution, work.resolve("a"),
                new KarafInstance.Ports(ports[0], ports[1], ports[2]), key, repository);
        b = KarafInstance.create("b", distribution, work.resolve("b"),
                new KarafInstance.Ports(ports[3], ports[4], ports[5]), key, repository);
        long start = System.nanoTime();
        a.start(javaHome);
        b.start(javaHome);
        both(k -> k.awaitShell(BOOT));
        report("both Karaf shells answer", start);
    }

    @AfterAll
    static void stopKarafs() {
        try {
            if (a != null) {
                a.close();
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    @Test
    @Order(1)
    void twoKarafInstancesInstallTheFeaturesAndFormACluster() throws Exception {
        both(k -> {
            k.shell("feature:repo-add " + FEATURES_REPOSITORY);
            k.shell("feature:install gen-cluster gen-cluster-discovery-static");
        });
        for (KarafInstance k : List.of(a, b)) {
            // the runtime needs a transport: gen-cluster brings TCP in when nothing else provides one
            assertTrue(installedFeatures(k).containsAll(
                    Set.of("gen-cluster", "gen-cluster-dist-tcp", "gen-cluster-discovery-static")),
                    k.name + ": installed features " + installedFeatures(k));
        }

        // the transport and the runtime first, the peers last: a node's runtime reports node up for
        // the connections made while it runs, so both must run before either is told of the other
        int fromA = a.log().mark();
        int fromB = b.log().mark();
        for (KarafInstance k : List.of(a, b)) {
            k.writeConfig("io.gencluster", Map.of("refresh.interval.ms", "500", "reconnect.backoff.max.ms", "2000"));
        }
        a.writeConfig("io.gencluster.dist.tcp", transport("a", distPortA, true));
        // b never serves the port mapper, so b's restart in the second test cannot take it down
        b.writeConfig("io.gencluster.dist.tcp", transport("b", distPortB, false));
        for (KarafInstance k : List.of(a, b)) {
            int running = k.log().await(line("io.gencluster: cluster of " + k.name + "@127.0.0.1 running"), k == a ? fromA : fromB,
                    WAIT, k.name + "'s cluster component runs");
            k.log().await(line("no discovery service is bound; keeping the 0 peer(s) known so far"), running, WAIT,
                    k.name + "'s first refresh, with no strategy yet");
        }

        String nodes = "a@" + HOST + ":" + distPortA + ", b@" + HOST + ":" + distPortB;
        long discovery = System.nanoTime();
        for (KarafInstance k : List.of(a, b)) {
            k.writeConfig("io.gencluster.discovery.static", Map.of("nodes", nodes));
        }
        // either node may be the one that dials: each must also have bound static discovery itself
        a.log().await(line("discovery services bound again: 1"), fromA, WAIT, "a's runtime binds static discovery");
        b.log().await(line("discovery services bound again: 1"), fromB, WAIT, "b's runtime binds static discovery");
        a.log().await(line("node up b@127.0.0.1"), fromA, WAIT, "a sees b");
        b.log().await(line("node up a@127.0.0.1"), fromB, WAIT, "b sees a");
        report("cluster formed after the static discovery files were dropped in", discovery);
    }

    @Test
    @Order(2)
    void staticDiscoveryIsSwappedForEpmdWhileTheClusterComponentRuns() throws Exception {
        // 1. static discovery goes away on both nodes: the runtime notices and keeps what it knew
        int fromA = a.log().mark();
        int fromB = b.log().mark();
        both(k -> {
            k.shell("feature:uninstall gen-cluster-discovery-static");
            k.deleteConfig("io.gencluster.discovery.static");
        });
        a.log().await(Pattern.compile("discovery static \\(service \\d+\\) is gone"), fromA, WAIT, "a drops static");
        a.log().await(line("no discovery service is bound; keeping the 1 peer(s) known so far"), fromA, WAIT,
                "a keeps b");
        b.log().await(Pattern.compile("discovery static \\(service \\d+\\) is gone"), fromB, WAIT, "b drops static");

        // 2. b moves to another port (its transport and cluster component restart; with no
        //    discovery left, b dials nobody). a still dials the address it kept, and fails: from
        //    now on only a strategy that asks EPMD can tell a where b is
        int beforeMove = a.log().mark();
        int fromB2 = b.log().mark();
        b.writeConfig("io.gencluster.dist.tcp", transport("b", movedPortB, false));
        b.log().await(line("io.gencluster: cluster of b@127.0.0.1 running"), fromB2, WAIT, "b's cluster component runs again");
        b.log().await(Pattern.compile("registered b at port " + movedPortB + "\\b"), fromB2, WAIT, "b registers its new port");
        int down = a.log().await(line("node down b@127.0.0.1"), beforeMove, WAIT, "a loses b");
        a.log().await(Pattern.compile("cannot connect to b@127\\.0\\.0\\.1: .*:" + distPortB + "\\b"), down, WAIT,
                "a retries b's old address");

        // 3. hot swap: EPMD discovery installed on a, its configuration dropped in
        long swap = System.nanoTime();
        a.shell("feature:install gen-cluster-discovery-epmd");
        a.writeConfig("io.gencluster.discovery.epmd", Map.of("epmd.port", String.valueOf(epmdPort)));
        int bound = a.log().await(line("discovery services bound again: 1"), down, WAIT, "a binds EPMD discovery");
        a.log().await(line("node up b@127.0.0.1"), bound, WAIT, "a finds b at its new port through EPMD");
        b.log().await(line("node up a@127.0.0.1"), fromB2, WAIT, "b sees a again");
        report("a reconnected b through EPMD discovery after feature:install", swap);

        // 4. the cluster component on a ran through all of it: started once, never stopped
        assertEquals(1, a.log().count(line("io.gencluster: cluster of a@127.0.0.1 running")),
                "a's cluster component must not be restarted by the swap:\n" + a.log().tail(0));
        assertEquals(0, a.log().count(line("io.gencluster: cluster of a@127.0.0.1 stopped")),
                "a's cluster component must not be stopped by the swap:\n" + a.log().tail(0));
        Set<String> installed = installedFeatures(a);
        assertTrue(installed.contains("gen-cluster-discovery-epmd"), "a: installed features " + installed);
        assertFalse(installed.contains("gen-cluster-discovery-static"), "a: installed features " + installed);
    }

    @Test
    @Order(3)
    void dnsDiscoveryRunsInKarafWithPaxLoggingAsDnsjavasSlf4j() throws Exception {
        // dnsjava imports org.slf4j, which only Karaf's pax-logging exports here: the feature must
        // install, and the strategy must reach dnsjava's resolver when the runtime asks it. No
        // DNS server listens on the port given, so its answer is a failure the runtime reports
        int from = b.log().mark();
        b.shell("feature:install gen-cluster-discovery-dns");
        b.writeConfig("io.gencluster.discovery.dns", Map.of("domain", "nodes.cluster.test",
                "servers", HOST + ":" + noDnsPort, "timeout.ms", "500"));
        b.log().await(Pattern.compile("\\| io\\.gencluster\\.discovery\\.dns: .*nodes\\.cluster\\.test"), from, WAIT,
                "b's DNS discovery is configured");
        b.log().await(Pattern.compile("discovery dns \\(service \\d+\\) failing: "), from, WAIT,
                "b's runtime asks DNS discovery, which asks a server that is not there");
        assertTrue(installedFeatures(b).contains("gen-cluster-discovery-dns"), "b: installed features " + installedFeatures(b));
    }

    private static void report(String what, long sinceNanos) {
        System.out.printf("%s: %d ms%n", what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos));
    }

    /** The TCP transport on loopback, registered with the test's own port mapper (a serves it). */
    private static Map<String, String> transport(String name, int port, boolean servesPortMapper) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("node.name", name + "@" + HOST);
        c.put("bind.address", HOST);
        c.put("port", String.valueOf(port));
        c.put("cookie", cookie);
        c.put("epmd.port", String.valueOf(epmdPort));
        c.put("epmd.embedded", String.valueOf(servesPortMapper));
        return c;
    }

    /** A log line whose message is {@code message}, possibly followed by details (" (reason)"). */
    private static Pattern line(String message) {
        return Pattern.compile("\\| " + Pattern.quote(message) + "(\\s|$)");
    }

    /** Feature names in {@code feature:list -i}: the first column of each table row. */
    private static Set<String> installedFeatures(KarafInstance k) throws IOException, InterruptedException {
        return k.shell("feature:list -i").lines()
                .filter(l -> l.contains("|") && !l.startsWith("Name") && !l.startsWith("-"))
                .map(l -> l.substring(0, l.indexOf('|')).trim())
                .collect(Collectors.toSet());
    }

    private interface Step {
        void run(KarafInstance k) throws Exception;
    }

    /** Runs {@code step} on a and b at once (two Karafs are as slow as one that way). */
    private static void both(Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (KarafInstance k : List.of(a, b)) {
                running.add(pool.submit(() -> {
                    step.run(k);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw (Error) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Distinct free loopback ports (all held open until every one is found). */
    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getByName(HOST)));
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** Karaf 4.4 runs on Java 17 (not on 25): this JVM when it is a 17, else an installed one. */
    private static Path java17() throws IOException {
        String configured = System.getProperty("karaf.java.home");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        if (Runtime.version().feature() == 17) {
            return Path.of(System.getProperty("java.home"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> s = Files.list(jvms)) {
                return s.filter(p -> p.getFileName().toString().startsWith("java-17")
                                && Files.isExecutable(p.resolve("bin/java")))
                        .sorted().findFirst()
                        .orElseThrow(() -> new AssertionError("Karaf 4.4 needs a Java 17: none in " + jvms
                                + "; set -Dkaraf.java.home"));
            }
        }
        throw new AssertionError("Karaf 4.4 needs a Java 17; set -Dkaraf.java.home");
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
