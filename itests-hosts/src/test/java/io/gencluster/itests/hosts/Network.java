package io.gencluster.itests.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small network of hosts of the test's own: namespace {@code gct<pid>-sw} holds bridge
 * {@code br0} (the switch; the root namespace's interfaces and routes are never touched), and each
 * host {@code gct<pid>-h<i>} is cabled to it by a veth pair ({@code eth0} in the host, {@code p<i>}
 * on the bridge) with address 198.18.0.(10+i)/24. {@link #close()} stops every process the network
 * started (by PID), deletes every namespace (which removes the veth ends and nftables tables with
 * them) and the /etc/netns resolver files, and verifies none is left; a shutdown hook does the
 * same when the JVM ends without it. Namespaces of a run killed outright (its PID gone) are removed
 * by the next {@link #create}. One network per JVM at a time.
 */
public final class Network implements AutoCloseable {

    static final long PID = ProcessHandle.current().pid();
    static final String PREFIX = "gct" + PID + "-";
    private static final Pattern OURS = Pattern.compile("gct(\\d+)-\\S+");
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicReference<Network> OPEN = new AtomicReference<>();

    private final List<Host> hosts = new ArrayList<>();
    private final List<HostProcess> processes = Collections.synchronizedList(new ArrayList<>());
    private final Map<Host, HostProcess> epmds = new HashMap<>();
    private final Path workDir;
    private final Faults faults = new Faults();
    private final Thread hook = new Thread(this::closeFromHook, "close network " + PREFIX);
    private boolean closed;

    private Network(Path workDir) {
        this.workDir = workDir;
    }

    /** 198.18.0.(10+i) */
    static String address(int index) {
        return "198.18.0." + (10 + index);
    }

    static String switchNamespace() {
        return PREFIX + "sw";
    }

    /** Makes the switch and {@code count} hosts cabled to it, all links up. */
    public static Network create(int count) {
        if (count < 1 || count > 200) {
            throw new IllegalArgumentException("hosts: 1..200, not " + count);
        }
        Preconditions.require("ip", "nft");
        Path work = Path.of(System.getProperty("work.dir", "target/it-work")).toAbsolutePath()
                .resolve("network-" + PID);
        Network net = new Network(work);
        if (!OPEN.compareAndSet(null, net)) {
            throw new IllegalStateException("a network is already open in this JVM: " + OPEN.get());
        }
        Runtime.getRuntime().addShutdownHook(net.hook);
        try {
            removeStale();
            Files.createDirectories(work);
            net.build(count);
            return net;
        } catch (IOException | RuntimeException e) {
            try {
                net.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    private void build(int count) {
        String sw = switchNamespace();
        ip("netns", "add", sw);
        ip("-n", sw, "link", "set", "lo", "up");
        ip("-n", sw, "link", "add", "br0", "type", "bridge");
        ip("-n", sw, "link", "set", "br0", "up");
        for (int i = 1; i <= count; i++) {
            Host h = new Host(i, PREFIX + "h" + i);
            ip("netns", "add", h.namespace());
            hosts.add(h);
            ip("link", "add", "eth0", "netns", h.namespace(), "type", "veth",
                    "peer", "name", h.switchPort(), "netns", sw);
            ip("-n", sw, "link", "set", h.switchPort(), "master", "br0", "up");
            ip("-n", h.namespace(), "link", "set", "lo", "up");
            ip("-n", h.namespace(), "addr", "add", h.address() + "/24", "dev", "eth0");
            ip("-n", h.namespace(), "link", "set", "eth0", "up");
        }
    }

    static Command.Result ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        return Command.run(IP_TIMEOUT, argv).orThrow();
    }

    /** Deletes namespaces gct<pid>-* whose pid is no longer a live process (or is this JVM's). */
    static void removeStale() {
        for (String ns : ourNamespaces(null)) {
            Matcher m = OURS.matcher(ns);
            m.matches();
            long pid = Long.parseLong(m.group(1));
            boolean live = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!live || pid == PID) {
                Command.run(IP_TIMEOUT, List.of("ip", "netns", "del", ns));
                deleteTree(Path.of("/etc/netns", ns));
            }
        }
    }

    /** Namespaces named gct<pid>-*, of the given prefix when not null. */
    static List<String> ourNamespaces(String prefix) {
        List<String> names = new ArrayList<>();
        for (String line : ip("netns", "list").output().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (OURS.matcher(name).matches() && (prefix == null || name.startsWith(prefix))) {
                names.add(name);
            }
        }
        return names;
    }

    public List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /** Host i, from 1. */
    public Host host(int i) {
        return hosts.get(i - 1);
    }

    public Path workDir() {
        return workDir;
    }

    public Faults faults() {
        return faults;
    }

    /** Starts argv in the host, output appended to log; stopped by PID on {@link #close()}. */
    public HostProcess start(Host host, List<String> argv, Path log) {
        List<String> all = host.exec(argv);
        Process p;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            p = new ProcessBuilder(all).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", all), e);
        }
        HostProcess hp = new HostProcess(host, argv, p, log);
        processes.add(hp);
        Processes.awaitExec(p, argv.get(0), Duration.ofSeconds(5));
        return hp;
    }

    /** Stops one process the network started, by its PID. */
    public void stop(HostProcess p) {
        if (!p.stop()) {
            throw new IllegalStateException("still running after SIGKILL: " + p);
        }
        processes.remove(p);
    }

    /** A real epmd in the foreground on port 4369 of the host, waited for until it accepts. */
    public HostProcess startEpmd(Host host) {
        Preconditions.require("epmd");
        if (epmds.containsKey(host)) {
            throw new IllegalStateException("epmd already runs in " + host);
        }
        HostProcess epmd = start(host, List.of("epmd", "-port", "4369"), workDir.resolve(host.name() + "-epmd.log"));
        epmds.put(host, epmd);
        Await.until("epmd in " + host + " to accept on 4369", Duration.ofSeconds(10),
                () -> host.connect(host.address(), 4369, Duration.ofSeconds(1)) == Host.Reach.CONNECTED);
        return epmd;
    }

    public void stopEpmd(Host host) {
        HostProcess epmd = epmds.remove(host);
        if (epmd == null) {
            throw new IllegalStateException("no epmd started in " + host);
        }
        stop(epmd);
    }

    /** A real dnsmasq on the host's address, port 53, answering for {@link DnsServer#ZONE}. */
    public DnsServer startDnsmasq(Host host, Map<String, List<String>> aRecords, List<DnsServer.Srv> srv) {
        return startDnsmasq(host, List.of(DnsServer.ZONE), aRecords, srv);
    }

    /** dnsmasq in {@code host}, every host's resolver searching {@code search}. */
    public DnsServer startDnsmasq(Host host, List<String> search, Map<String, List<String>> aRecords,
            List<DnsServer.Srv> srv) {
        Preconditions.require("dnsmasq");
        return DnsServer.start(this, host, search, aRecords, srv);
    }

    /** Stops every process, deletes every namespace and resolver file, verifies none is left. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> problems = new ArrayList<>();
        List<HostProcess> started;
        synchronized (processes) {
            started = new ArrayList<>(processes);
        }
        Collections.reverse(started);
        for (HostProcess p : started) {
            if (!p.stop()) {
                problems.add("still running after SIGKILL: " + p);
            }
        }
        List<String> namespaces = new ArrayList<>();
        hosts.forEach(h -> namespaces.add(h.namespace()));
        namespaces.add(switchNamespace());
        namespaces.addAll(ourNamespaces(PREFIX));
        for (String ns : namespaces.stream().distinct().toList()) {
            deleteTree(Path.of("/etc/netns", ns));
            Command.run(IP_TIMEOUT, List.of("ip", "netns", "del", ns)); // absent ones fail: fine
        }
        List<String> left = ourNamespaces(PREFIX);
        if (!left.isEmpty()) {
            problems.add("namespaces left after ip netns del: " + left);
        }
        for (String ns : namespaces) {
            if (Files.exists(Path.of("/etc/netns", ns))) {
                problems.add("resolver files left: /etc/netns/" + ns);
            }
        }
        for (HostProcess p : started) {
            if (p.isAlive()) {
                problems.add("process left: " + p);
            }
        }
        OPEN.compareAndSet(this, null);
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway and finds the network closed
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("network " + PREFIX + "* not fully removed:\n  "
                    + String.join("\n  ", problems));
        }
    }

    private void closeFromHook() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Collections.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** The hosts among {@code all} other than {@code h}. */
    public static List<Host> others(Host h, Collection<Host> all) {
        return all.stream().filter(o -> o != h).toList();
    }

    @Override
    public String toString() {
        return "network " + PREFIX + "* of " + hosts.size() + " hosts";
    }
}
