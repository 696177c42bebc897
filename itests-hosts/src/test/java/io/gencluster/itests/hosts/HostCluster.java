package io.gencluster.itests.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A {@link Network} of hosts with one distribution node per host, as users deploy: each node
 * started by {@code bin/gen-cluster} inside its host's namespace, on the one transport port
 * {@value #PORT}, reading the {@code .cfg} files the test wrote to its conf directory. Closing it
 * stops every node by PID, then the network.
 */
final class HostCluster implements AutoCloseable {

    static final int PORT = 4370;
    static final Duration START = Duration.ofSeconds(60);

    private static Path distribution;

    private final Network network;
    private final Path work;
    private final Path cookieFile;
    private final String cookie;
    private final Map<Host, HostNode> nodes = new LinkedHashMap<>();
    private final Map<Host, String> names = new LinkedHashMap<>();

    private HostCluster(Network network, Path work) throws IOException {
        this.network = network;
        this.work = work;
        this.cookie = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        this.cookieFile = work.resolve("cookie");
        Files.writeString(cookieFile, cookie);
        // owner-only, as a Secret mounted with defaultMode 0400: a node refuses a cookie file others may read
        Files.setPosixFilePermissions(cookieFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    /** A network of {@code hosts} hosts and no node yet; {@code test} names its work directory. */
    static HostCluster create(int hosts, String test) throws IOException {
        Path work = Files.createDirectories(Path.of(System.getProperty("work.dir"), test + "-" + System.nanoTime()));
        Network network = Network.create(hosts);
        try {
            return new HostCluster(network, work);
        } catch (IOException | RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** The probed distribution, copied once per test JVM. */
    private static synchronized Path distribution() throws IOException {
        if (distribution == null) {
            Path work = Files.createDirectories(Path.of(System.getProperty("work.dir")));
            distribution = ProbedDistribution.copyTo(work.resolve("dist-" + System.nanoTime()));
        }
        return distribution;
    }

    Network network() {
        return network;
    }

    /** This cluster's directory: conf directories, data directories and node logs ({@code hN-*.log}). */
    Path workDir() {
        return work;
    }

    List<Host> hosts() {
        return network.hosts();
    }

    Host host(int i) {
        return network.host(i);
    }

    /** The cluster's cookie, 32 hex digits, the same for every node. */
    String cookie() {
        return cookie;
    }

    /** A file holding the cookie, as a mounted Secret would. */
    Path cookieFile() {
        return cookieFile;
    }

    /** The directory of {@code .cfg} files of the node of {@code h} (created empty). */
    Path conf(Host h) {
        try {
            return Files.createDirectories(work.resolve(h.name() + "-conf"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The distribution's own conf directory, as shipped. */
    static Path shippedConf() throws IOException {
        return distribution().resolve("conf");
    }

    /** Starts the node of {@code h} named {@code nodeName}, on {@link #PORT}, reading {@link #conf(Host)}. */
    HostNode start(Host h, String nodeName) throws IOException {
        if (nodes.containsKey(h) && nodes.get(h).isAlive()) {
            throw new IllegalStateException(h + " already runs " + nodes.get(h));
        }
        HostNode node = HostNode.start(h.exec(), distribution(), nodeName, PORT, conf(h),
                work.resolve(h.name() + "-data"), work.resolve(h.name() + "-" + System.nanoTime() + ".log"));
        nodes.put(h, node);
        names.put(h, nodeName);
        return node;
    }

    HostNode node(Host h) {
        return nodes.get(h);
    }

    List<HostNode> nodes() {
        return new ArrayList<>(nodes.values());
    }

    String name(Host h) {
        return names.get(h);
    }

    /** Waits until every node runs its cluster, and its members are exactly every other node. */
    void awaitFullMesh(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (HostNode n : nodes.values()) {
            n.awaitReady(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        for (Map.Entry<Host, HostNode> e : nodes.entrySet()) {
            Set<String> others = new TreeSet<>(names.values());
            others.remove(names.get(e.getKey()));
            e.getValue().awaitMembers(others, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
    }

    /**
     * Established TCP connections on the transport port between each pair of hosts, as the kernel
     * of the first host of the pair lists them ({@code ss}); pairs named "h1-h2".
     */
    Map<String, Integer> connectionsPerPair() {
        Map<String, Integer> pairs = new TreeMap<>();
        List<Host> all = hosts();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                pairs.put(all.get(i).name() + "-" + all.get(j).name(), 0);
            }
        }
        for (Host h : all) {
            String out = h.check(Duration.ofSeconds(10), "ss", "-Htn", "state", "established").output();
            for (String line : out.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 4) {
                    continue;
                }
                String local = f[f.length - 2];
                String peer = f[f.length - 1];
                boolean dist = local.endsWith(":" + PORT) || peer.endsWith(":" + PORT);
                // a dual-stack socket shows IPv4 peers as [::ffff:198.18.0.12]:4370
                Host other = byAddress(peer.substring(0, peer.lastIndexOf(':')).replace("[", "").replace("]", "")
                        .replace("::ffff:", ""));
                if (dist && other != null && other.index() > h.index()) {
                    pairs.merge(h.name() + "-" + other.name(), 1, Integer::sum);
                }
            }
        }
        return pairs;
    }

    /** Pairs of hosts (both running a node) without exactly one connection between them. */
    Map<String, Integer> pairsWithoutOneConnection() {
        Set<String> running = nodes.entrySet().stream().filter(e -> e.getValue().isAlive())
                .map(e -> e.getKey().name()).collect(Collectors.toSet());
        Map<String, Integer> wrong = new TreeMap<>();
        connectionsPerPair().forEach((pair, n) -> {
            String[] ab = pair.split("-");
            if (running.contains(ab[0]) && running.contains(ab[1]) && n != 1) {
                wrong.put(pair, n);
            }
        });
        return wrong;
    }

    private Host byAddress(String address) {
        for (Host h : hosts()) {
            if (h.address().equals(address)) {
                return h;
            }
        }
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            for (HostNode n : nodes.values()) {
                n.close();
            }
        } finally {
            network.close();
        }
    }
}
