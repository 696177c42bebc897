package io.gencluster.itests.hosts;

import static io.gencluster.itests.hosts.Host.Reach.CONNECTED;
import static io.gencluster.itests.hosts.Host.Reach.REFUSED;
import static io.gencluster.itests.hosts.Host.Reach.TIMED_OUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The test network itself: five hosts on a switch, each with a real epmd; faults that drop (the
 * peer times out, it is not refused) and heal; link and switch-port state; dnsmasq answering A and
 * SRV records from another host, changed while it runs; and nothing left afterwards.
 */
class NetworkIT {

    private static final int EPMD = 4369;
    private static final Duration CONNECT = Duration.ofSeconds(1);

    @Test
    void fiveHostsReachEachOthersEpmdAndBlackHoleDrops() {
        long t0 = System.nanoTime();
        List<HostProcess> started = new ArrayList<>();
        try (Network net = Network.create(5)) {
            System.out.printf("5 hosts created in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            for (Host h : net.hosts()) {
                HostProcess epmd = net.startEpmd(h);
                started.add(epmd);
                assertEquals("epmd", Processes.comm(epmd.pid()), "the PID is epmd's, not ip's");
            }
            Host h1 = net.host(1);
            for (Host other : Network.others(h1, net.hosts())) {
                assertEquals(CONNECTED, h1.connect(other.address(), EPMD, CONNECT), "h1 -> " + other);
            }
            assertEquals(REFUSED, h1.connect(net.host(2).address(), 4370, CONNECT), "nothing on 4370");

            net.faults().blackHole(h1, List.of(net.host(2)));
            assertEquals(TIMED_OUT, h1.connect(net.host(2).address(), EPMD, CONNECT));
            assertEquals(TIMED_OUT, net.host(2).connect(h1.address(), EPMD, CONNECT));
            assertEquals(CONNECTED, h1.connect(net.host(3).address(), EPMD, CONNECT));
            assertEquals(CONNECTED, net.host(2).connect(net.host(3).address(), EPMD, CONNECT));

            net.faults().heal(h1);
            assertEquals(CONNECTED, h1.connect(net.host(2).address(), EPMD, CONNECT));

            net.stopEpmd(net.host(4));
            assertEquals(REFUSED, h1.connect(net.host(4).address(), EPMD, CONNECT));
            System.out.printf("first test body done in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        }
        assertAllGone(started);
        System.out.printf("create, 5 epmds, faults, close: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Test
    void dropOneWayLetsTheOtherDirectionThrough() {
        try (Network net = Network.create(3)) {
            Host h1 = net.host(1);
            Host h2 = net.host(2);
            net.hosts().forEach(net::startEpmd);
            net.faults().dropOneWay(h1, h2);
            assertEquals(TIMED_OUT, h1.connect(h2.address(), EPMD, CONNECT), "h1's SYN is dropped");
            // h2's SYN reaches h1 (delivered) and h1 answers; the SYN-ACK is dropped on its way out
            long before = net.faults().dropped(h1);
            assertEquals(TIMED_OUT, h2.connect(h1.address(), EPMD, CONNECT));
            assertTrue(net.faults().dropped(h1) > before, "h1 received h2's SYN and its answer was dropped");
            assertEquals(CONNECTED, h1.connect(net.host(3).address(), EPMD, CONNECT));
            net.faults().heal(h1);
            assertEquals(CONNECTED, h1.connect(h2.address(), EPMD, CONNECT));
            assertEquals(CONNECTED, h2.connect(h1.address(), EPMD, CONNECT));
        }
    }

    @Test
    void lossDropsAboutTheShareAskedFor() {
        try (Network net = Network.create(2)) {
            Host h1 = net.host(1);
            Host h2 = net.host(2);
            net.startEpmd(h2);
            net.faults().loss(h2, 30);
            // 30 short connects from h1: every packet through h2's eth0 is counted and 30% dropped
            h1.run(Duration.ofSeconds(30), "bash", "-c", "for i in $(seq 30); do timeout 0.2 bash -c "
                    + "'exec 3<>/dev/tcp/" + h2.address() + "/" + EPMD + "'; done");
            Faults.LossCount count = net.faults().lossCount(h2);
            System.out.println("loss 30%: " + count);
            assertTrue(count.seen() >= 40, "enough packets to judge: " + count);
            double share = (double) count.dropped() / count.seen();
            assertTrue(share > 0.1 && share < 0.55, "about 30% dropped: " + count);
            if (Preconditions.which("ping").isPresent()) {
                String out = h1.run(Duration.ofSeconds(20), "ping", "-q", "-c", "50", "-i", "0.01", "-W", "1",
                        h2.address()).output();
                System.out.println(out);
                assertFalse(out.contains(" 0% packet loss"), out);
            }
            net.faults().heal(h2);
            net.faults().loss(h2, 100);
            assertEquals(TIMED_OUT, h1.connect(h2.address(), EPMD, CONNECT));
            net.faults().heal(h2);
            assertEquals(CONNECTED, h1.connect(h2.address(), EPMD, CONNECT));
        }
    }

    @Test
    void linkAndSwitchPortDownCutTheHostOff() {
        try (Network net = Network.create(3)) {
            Host h1 = net.host(1);
            Host h2 = net.host(2);
            Host h3 = net.host(3);
            net.hosts().forEach(net::startEpmd);
            net.faults().linkDown(h2);
            assertEquals(TIMED_OUT, h1.connect(h2.address(), EPMD, CONNECT));
            net.faults().linkUp(h2);
            awaitReach(h1, h2);
            net.faults().portDown(h3);
            assertEquals(TIMED_OUT, h1.connect(h3.address(), EPMD, CONNECT));
            assertTrue(h3.check(CONNECT, "ip", "link", "show", "eth0").output().contains("NO-CARRIER"),
                    "h3's eth0 lost carrier");
            net.faults().portUp(h3);
            awaitReach(h1, h3);
        }
    }

    @Test
    void dnsmasqAnswersOtherHostsAndTakesChangesWhileRunning() {
        try (Network net = Network.create(5)) {
            Host h1 = net.host(1);
            Host h2 = net.host(2);
            DnsServer dns = net.startDnsmasq(net.host(5),
                    Map.of("nodes", List.of("198.18.0.11", "198.18.0.12", "198.18.0.13")),
                    List.of(new DnsServer.Srv("_dist._tcp.svc", "h3", EPMD)));
            assertEquals(List.of("198.18.0.11", "198.18.0.12", "198.18.0.13"),
                    DnsServer.lookup(h1, "nodes").stream().sorted().toList());
            assertEquals(List.of("198.18.0.13"), DnsServer.lookup(h1, "h3"));
            assertEquals(List.of(), DnsServer.lookup(h1, "late"));
            assertEquals(List.of("0 0 4369 h3." + DnsServer.ZONE + "."), DnsServer.lookupSrv(h1, "_dist._tcp.svc"));

            long t = System.nanoTime();
            dns.setARecords(Map.of("nodes", List.of("198.18.0.11", "198.18.0.14"), "late", List.of("198.18.0.15")));
            assertEquals(List.of("198.18.0.15"), DnsServer.lookup(h2, "late"));
            assertEquals(List.of("198.18.0.11", "198.18.0.14"),
                    DnsServer.lookup(h1, "nodes").stream().sorted().toList());
            System.out.printf("A records changed and answered in %d ms%n", (System.nanoTime() - t) / 1_000_000);

            long pid = dns.process().pid();
            dns.setSrvRecords(List.of(new DnsServer.Srv("_dist._tcp.svc", "h4", EPMD),
                    new DnsServer.Srv("_dist._tcp.svc", "h2", EPMD)));
            assertTrue(dns.process().pid() != pid, "restarted");
            assertEquals(List.of("0 0 4369 h2." + DnsServer.ZONE + ".", "0 0 4369 h4." + DnsServer.ZONE + "."),
                    DnsServer.lookupSrv(h1, "_dist._tcp.svc").stream().sorted().toList());
            assertTrue(Files.exists(Path.of("/etc/netns", h1.namespace(), "resolv.conf")));
        }
        assertTrue(Network.ourNamespaces(Network.PREFIX).isEmpty());
    }

    @Test
    void closeCleansUpWhenTheTestBodyThrows() {
        List<HostProcess> started = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (Network net = Network.create(2)) {
                net.hosts().forEach(h -> namespaces.add(h.namespace()));
                started.add(net.startEpmd(net.host(1)));
                started.add(net.start(net.host(2), List.of("sleep", "600"), net.workDir().resolve("sleep.log")));
                net.startDnsmasq(net.host(2), Map.of(), List.of());
                net.faults().blackHole(net.host(1), List.of(net.host(2)));
                net.faults().portDown(net.host(2));
                throw new IllegalStateException("the test body failed");
            }
        });
        assertEquals("the test body failed", thrown.getMessage());
        assertEquals(2, namespaces.size());
        assertAllGone(started);
        for (String ns : namespaces) {
            assertFalse(Files.exists(Path.of("/etc/netns", ns)), "/etc/netns/" + ns + " removed");
        }
    }

    @Test
    void namespacesOfARunKilledOutrightAreRemovedByTheNext() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String stale = "gct" + gone.pid() + "-h1";
        Network.ip("netns", "add", stale);
        try (Network net = Network.create(1)) {
            assertFalse(Network.ourNamespaces(null).contains(stale), stale + " removed");
        } finally {
            Command.run(Duration.ofSeconds(5), List.of("ip", "netns", "del", stale));
        }
    }

    @Test
    void theShutdownHookCleansUpWhenTheJvmIsTerminated() throws Exception {
        String classes = Path.of(LeaveOpen.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Path.of(System.getProperty("work.dir", "target/it-work"), "leave-open.log");
        Files.createDirectories(log.getParent());
        Process jvm = new ProcessBuilder(javaBin, "-cp", classes, "-Dwork.dir=" + log.getParent(),
                LeaveOpen.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Await.until("the other JVM's network", Duration.ofSeconds(30), () -> {
                assertTrue(jvm.isAlive(), "the other JVM ended early");
                return read(log).contains("ready ");
            });
            String prefix = "gct" + jvm.pid() + "-";
            assertEquals(3, Network.ourNamespaces(prefix).size(), "switch and two hosts");
            String[] ready = read(log).substring(read(log).indexOf("ready ")).strip().split("\\s+");
            jvm.destroy(); // SIGTERM
            assertTrue(jvm.waitFor(30, TimeUnit.SECONDS), "the other JVM ended");
            assertEquals(List.of(), Network.ourNamespaces(prefix), read(log));
            for (String pid : List.of(ready[1], ready[2])) {
                assertFalse(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false),
                        "epmd " + pid + " gone");
            }
        } finally {
            Processes.stop(jvm.toHandle(), Duration.ofSeconds(5));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitReach(Host from, Host to) {
        Await.until(from + " to reach " + to + ":" + EPMD, Duration.ofSeconds(10),
                () -> from.connect(to.address(), EPMD, CONNECT) == CONNECTED);
    }

    private static void assertAllGone(List<HostProcess> started) {
        assertEquals(List.of(), Network.ourNamespaces(Network.PREFIX), "ip netns list shows none of ours");
        for (HostProcess p : started) {
            assertFalse(p.handle().isAlive(), "process gone: " + p);
            assertFalse(Files.exists(Path.of("/proc/" + p.pid())), "no /proc entry: " + p);
        }
    }
}
