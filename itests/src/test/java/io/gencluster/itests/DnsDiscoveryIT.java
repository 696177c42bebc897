package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.await;
import static io.gencluster.itests.EmbeddedNodes.assertNeverMember;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.itests.node.FelixNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes shape on one machine: nodes on distinct loopback addresses and one shared port,
 * like pods behind a headless Service, found through a real DNS server (dnsmasq) whose records
 * the test changes as pods come and go.
 */
class DnsDiscoveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String DOMAIN = "nodes.cluster.test";
    private static final String COOKIE = "c00kie-for-integration-tests";

    private Path work;
    private Dnsmasq dns;
    private int port;
    /** The pods' port mapper port: registration on (the default), the mapper on loopback 127.0.0.1 only. */
    private int epmdPort;
    private final Map<String, FelixNode> nodes = new LinkedHashMap<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            warnings.add(r.getLevel() + " " + new java.util.logging.SimpleFormatter().formatMessage(r));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createDirectories(Path.of(System.getProperty("work.dir"), "dns-" + System.nanoTime()));
        dns = new Dnsmasq(work.resolve("dns"));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            epmdPort = s.getLocalPort();
        }
        Logger.getLogger("io.gencluster.runtime").addHandler(capture);
    }

    @AfterEach
    void tearDown() throws Exception {
        Logger.getLogger("io.gencluster.runtime").removeHandler(capture);
        for (FelixNode n : nodes.values()) {
            n.close();
        }
        dns.close();
    }

    /** A pod: its transport on 127.0.0.{i} and the shared port, DNS discovery, and the runtime. */
    private FelixNode pod(int i, String... runtimeExtra) throws Exception {
        FelixNode n = new FelixNode(Path.of(System.getProperty("bundles.dir")), work.resolve("pod" + i));
        nodes.put(ip(i), n);
        n.start();
        n.configure("io.gencluster.dist.tcp", Map.of("node.name", "app@" + ip(i), "bind.address", ip(i),
                "port", String.valueOf(port), "cookie", COOKIE, "tick.ms", "200", "tick.timeout.ms", "2000",
                // registered with a port mapper as by default, which no peer's address answers: a port-less
                // peer from an A record is dialled on the shared port, as in a pod
                "epmd.port", String.valueOf(epmdPort),
                "mesh.transitive", "false")); // what discovery alone does: a leaving pod is not passed on
        n.configure("io.gencluster.discovery.dns", Map.of("domain", DOMAIN, "servers", "127.0.0.1:" + dns.port(),
                "timeout.ms", "1000"));
        EmbeddedNodes.runtime(n, runtimeExtra);
        return n;
    }

    private static String ip(int i) {
        return "127.0.0." + i;
    }

    private static Set<String> apps(int... pods) {
        Set<String> out = new TreeSet<>();
        for (int i : pods) {
            out.add("app@" + ip(i));
        }
        return out;
    }

    @Test
    void podsBehindAHeadlessServiceFormAMeshAndFollowTheRecords() throws Exception {
        dns.hosts(ip(2) + " " + DOMAIN, ip(3) + " " + DOMAIN, ip(4) + " " + DOMAIN);
        dns.start();
        FelixNode p2 = pod(2);
        FelixNode p3 = pod(3, "removed.nodes", "disconnect");
        FelixNode p4 = pod(4);
        await("pod 2 members", p2::members, Optional.of(apps(3, 4)));
        await("pod 3 members", p3::members, Optional.of(apps(2, 4)));
        await("pod 4 members", p4::members, Optional.of(apps(2, 3)));

        // pod 4 shuts down gracefully (its runtime stops first) and leaves the Service; pod 5 joins
        p4.delete("io.gencluster");
        FelixNode p5 = pod(5);
        dns.hosts(ip(2) + " " + DOMAIN, ip(3) + " " + DOMAIN, ip(5) + " " + DOMAIN);
        dns.reload();
        await("pod 2 members (keep)", p2::members, Optional.of(apps(3, 4, 5)));
        await("pod 2 discovered", p2::discovered, Optional.of(apps(3, 5)));
        await("pod 3 members (disconnect)", p3::members, Optional.of(apps(2, 5)));
        await("pod 5 members", p5::members, Optional.of(apps(2, 3)));

        // the DNS server goes away: a failure, not an empty answer; nobody is forgotten
        warnings.clear(); // a query lost while dnsmasq was starting on a loaded machine is no concern here
        dns.close();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500); // five refreshes
        while (System.nanoTime() < end) {
            assertEquals(Optional.of(apps(3, 4, 5)), p2.members());
            assertEquals(Optional.of(apps(2, 5)), p3.members());
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertEquals(Optional.of(apps(3, 5)), p2.discovered(), "last known peers kept");
        long failing = warnings.stream().filter(w -> w.startsWith("WARNING discovery dns") && w.contains("failing")).count();
        assertEquals(3, failing, "one warning per node that saw DNS fail, not one per refresh: " + warnings);
        assertTrue(warnings.stream().anyMatch(w -> w.contains("A " + DOMAIN) && w.contains("failing")), warnings.toString());
    }

    @Test
    void srvRecordsGivePeersWithTheirPortsAndIpHostsWork() throws Exception {
        dns.hosts(ip(2) + " pod-2." + DOMAIN, ip(3) + " pod-3." + DOMAIN);
        dns.config("srv-host=_dist._tcp." + DOMAIN + ",pod-2." + DOMAIN + "," + port,
                "srv-host=_dist._tcp." + DOMAIN + ",pod-3." + DOMAIN + "," + port);
        dns.start();
        List<FelixNode> pods = new ArrayList<>();
        for (int i : new int[] {2, 3}) {
            FelixNode n = pod(i);
            n.configure("io.gencluster.discovery.dns", Map.of("domain", "_dist._tcp." + DOMAIN, "record.type", "SRV",
                    "host.type", "ip", "servers", "127.0.0.1:" + dns.port(), "timeout.ms", "1000"));
            pods.add(n);
        }
        await("pod 2 members", pods.get(0)::members, Optional.of(apps(3)));
        await("pod 3 members", pods.get(1)::members, Optional.of(apps(2)));
        assertNeverMember(pods.get(0), "app@pod-3." + DOMAIN, Duration.ZERO);
    }

    @Test
    void aaaaAndPtrRecordsNameTheNodes() throws Exception {
        dns.hosts(ip(3) + " pod-3." + DOMAIN, ip(4) + " pod-4." + DOMAIN,
                "fd00::3 v6." + DOMAIN, "fd00:0:0:0:0:0:1:4 v6." + DOMAIN);
        dns.start();
        FelixNode p2 = pod(2);
        // the PTR name of each address (host.type=hostname): dnsmasq answers PTR from its hosts file
        p2.configure("io.gencluster.discovery.dns", Map.of("domain", "pod-3." + DOMAIN, "host.type", "hostname",
                "servers", "127.0.0.1:" + dns.port(), "timeout.ms", "1000"));
        await("PTR names", p2::discovered, Optional.of(Set.of("app@pod-3." + DOMAIN)));
        // AAAA records, in short IPv6 form, with an explicit basename
        p2.configure("io.gencluster.discovery.dns", Map.of("domain", "v6." + DOMAIN, "record.type", "AAAA",
                "basename", "svc", "servers", "127.0.0.1:" + dns.port(), "timeout.ms", "1000"));
        await("AAAA names", p2::discovered, Optional.of(Set.of("svc@fd00::3", "svc@fd00::1:4")));
        assertTrue(dns.log().contains("query[AAAA] v6." + DOMAIN), "asked the real server");
    }
}
