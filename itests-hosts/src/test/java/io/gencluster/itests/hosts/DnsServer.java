package io.gencluster.itests.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real dnsmasq in one host, answering on that host's address, port 53, for names under
 * {@link #ZONE} and {@link #CLUSTER_LOCAL} (NXDOMAIN for any other name under them; names outside
 * them are refused, there is no upstream). Every host's resolver points at it: /etc/netns/NS/resolv.conf, which
 * {@code ip netns exec} bind-mounts over /etc/resolv.conf for commands started after it is written.
 *
 * <p>Records: A records come from files in a {@code --hostsdir} directory ("hosts" for the ones
 * the test gives, "network" with h1..hN for the network's hosts; several lines with one name give
 * several addresses). dnsmasq watches that directory with inotify and re-reads a file that is new,
 * changed or moved in, dropping the file's old records: {@link #setARecords} writes a new file
 * next to the directory, moves it in and waits for dnsmasq's "read" log line, so no restart and no
 * SIGHUP (which would also do, for --addn-hosts files). A file written inside the directory under
 * a temporary name would be read as hosts too, hence the move. SRV records ({@code srv-host=} in
 * the conf file) are not re-read on SIGHUP ("SIGHUP does NOT re-read the configuration file",
 * dnsmasq(8)) nor by inotify: {@link #setSrvRecords} rewrites the file and restarts dnsmasq.
 *
 * <p>dnsmasq runs with {@code --user=root}: otherwise it drops to the dnsmasq user, which may not
 * be able to read the work directory. TTLs are 0 so nothing caches an answer across a change.
 */
public final class DnsServer {

    public static final String ZONE = "gen-cluster.test";
    /** Kubernetes' cluster domain: a pod's resolver searches {@code <namespace>.svc.cluster.local} and up. */
    public static final String CLUSTER_LOCAL = "cluster.local";
    /** A pod's search domains in namespace {@code default}, as the kubelet writes them. */
    public static final List<String> POD_SEARCH = List.of("default.svc.cluster.local", "svc.cluster.local", "cluster.local");
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** SRV record name → target:port (priority and weight 0); names are qualified with the zone. */
    public record Srv(String name, String target, int port) {
    }

    private final Network network;
    private final Host host;
    private final Path dir;
    private final Path hostsDir;
    private final Path log;
    private HostProcess process;

    private DnsServer(Network network, Host host) {
        this.network = network;
        this.host = host;
        this.dir = network.workDir().resolve(host.name() + "-dnsmasq");
        this.hostsDir = dir.resolve("hostsdir");
        this.log = network.workDir().resolve(host.name() + "-dnsmasq.log");
    }

    static DnsServer start(Network network, Host host, List<String> search, Map<String, List<String>> aRecords,
            List<Srv> srv) {
        DnsServer dns = new DnsServer(network, host);
        try {
            Network.deleteTree(dns.dir);
            Files.createDirectories(dns.hostsDir);
            StringBuilder hosts = new StringBuilder();
            for (Host h : network.hosts()) {
                hosts.append(h.address()).append(' ').append(qualify(h.name())).append('\n');
            }
            Files.writeString(dns.hostsDir.resolve("network"), hosts);
            Files.writeString(dns.hostsDir.resolve("hosts"), hostsFile(aRecords));
            Files.writeString(dns.conf(), confFile(srv));
            for (Host h : network.hosts()) {
                Path etc = Path.of("/etc/netns", h.namespace());
                Files.createDirectories(etc);
                Files.writeString(etc.resolve("resolv.conf"), "nameserver " + host.address() + "\nsearch "
                        + String.join(" ", search) + "\noptions ndots:5 timeout:1 attempts:2\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dnsmasq's files in " + dns.dir, e);
        }
        dns.launch();
        return dns;
    }

    /** name, or name.ZONE when it is not already under a zone served here. */
    public static String qualify(String name) {
        for (String zone : List.of(ZONE, CLUSTER_LOCAL)) {
            if (name.endsWith("." + zone) || name.equals(zone)) {
                return name;
            }
        }
        return name + "." + ZONE;
    }

    public HostProcess process() {
        return process;
    }

    /** Replaces the test's A records while dnsmasq runs; returns once dnsmasq has re-read them. */
    public void setARecords(Map<String, List<String>> aRecords) {
        Path file = hostsDir.resolve("hosts");
        long before = reads(file);
        try {
            Path tmp = dir.resolve("hosts.new");
            Files.writeString(tmp, hostsFile(aRecords));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + file, e);
        }
        Await.until("dnsmasq in " + host + " to re-read " + file, WAIT, () -> reads(file) > before);
    }

    /** Replaces the SRV records: rewrites the conf file and restarts dnsmasq (the only way). */
    public void setSrvRecords(List<Srv> srv) {
        try {
            Files.writeString(conf(), confFile(srv));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + conf(), e);
        }
        network.stop(process);
        launch();
    }

    /** Stops dnsmasq (by its PID); the resolver files stay until the network closes. */
    public void stop() {
        network.stop(process);
    }

    /** IPv4 addresses of name as a host's resolver gives them (getent ahostsv4); empty when none. */
    public static List<String> lookup(Host from, String name) {
        Command.Result r = from.run(WAIT, "getent", "ahostsv4", qualify(name));
        List<String> addresses = new ArrayList<>();
        if (r.exitCode() == 2) {
            return addresses;
        }
        for (String line : r.orThrow().output().split("\n")) {
            String a = line.strip().split("\\s+")[0];
            if (!a.isEmpty() && !addresses.contains(a)) {
                addresses.add(a);
            }
        }
        return addresses;
    }

    /** SRV records of name as a host's resolver gives them: "priority weight port target." lines. */
    public static List<String> lookupSrv(Host from, String name) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes;
        try {
            classes = Path.of(SrvLookup.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Command.Result r = from.run(Duration.ofSeconds(30), java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", classes, SrvLookup.class.getName(), qualify(name));
        return r.exitCode() == 2 ? List.of() : r.orThrow().output().strip().lines().toList();
    }

    private void launch() {
        process = network.start(host, List.of("dnsmasq", "--conf-file=" + conf(), "--no-daemon",
                "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address=" + host.address(),
                "--log-facility=-", "--log-queries", "--user=root", "--pid-file=", "--hostsdir=" + hostsDir,
                "--local=/" + ZONE + "/", "--local=/" + CLUSTER_LOCAL + "/", "--local-ttl=0"), log);
        Await.until("dnsmasq in " + host + " to accept on " + host.address() + ":53", WAIT,
                () -> host.connect(host.address(), 53, Duration.ofSeconds(1)) == Host.Reach.CONNECTED);
    }

    private Path conf() {
        return dir.resolve("dnsmasq.conf");
    }

    private long reads(Path file) {
        try {
            String text = Files.exists(log) ? Files.readString(log) : "";
            return text.lines().filter(l -> l.contains("read " + file + " ")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hostsFile(Map<String, List<String>> aRecords) {
        StringBuilder s = new StringBuilder();
        aRecords.forEach((name, addresses) -> addresses.forEach(
                a -> s.append(a).append(' ').append(qualify(name)).append('\n')));
        return s.toString();
    }

    private static String confFile(List<Srv> srv) {
        StringBuilder s = new StringBuilder();
        for (Srv r : srv) {
            s.append("srv-host=").append(qualify(r.name())).append(',').append(qualify(r.target()))
                    .append(',').append(r.port()).append(",0,0\n");
        }
        return s.toString();
    }
}
