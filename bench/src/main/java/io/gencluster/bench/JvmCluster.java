package io.gencluster.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code n} nodes, each a separate JVM started by {@code bin/gen-cluster} with a conf directory
 * of its own: the TCP transport on a free loopback port (no EPMD registration, so nothing depends
 * on a system epmd), static discovery listing every node, the runtime. Conditions on the nodes'
 * printed memberships are awaited with the moment they first held, taken from the stdout line
 * that made them hold.
 */
final class JvmCluster implements AutoCloseable {

    /** bin/demo's options: a small node, quick start-up on few cores over peak speed. */
    static final String JAVA_OPTS = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    /**
     * Settings added to every node's dist-tcp configuration, {@code ;}-separated (system property
     * {@code bench.dist.settings}, e.g. {@code tick.ms = 500; tick.timeout.ms = 2500}): to run an
     * older build with this build's defaults where they differ. None by default.
     */
    private static final String EXTRA_SETTINGS = System.getProperty("bench.dist.settings", "");

    /** dist-tcp's default {@code max.handshakes.per.address}: never lowered here. */
    private static final int DEFAULT_HANDSHAKES_PER_ADDRESS = 16;

    private final Path distribution;
    private final Path work;
    final List<JvmNode> nodes = new ArrayList<>();
    private BooleanSupplier awaited;
    private long heldAt;

    JvmCluster(Path distribution, Path work, int n, boolean transitive, long refreshMs) throws IOException {
        this.distribution = distribution;
        this.work = work;
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) { // all held open at once, so no two are the same
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                nodes.add(new JvmNode(this, "n" + i + "@127.0.0.1", s.getLocalPort()));
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        byte[] b = new byte[16]; // 128 bits, as every generated cookie has
        new SecureRandom().nextBytes(b);
        String cookie = HexFormat.of().formatHex(b);
        List<String> entries = new ArrayList<>();
        for (JvmNode node : nodes) {
            entries.add(node.name + ":" + node.port);
        }
        for (JvmNode node : nodes) {
            Path conf = Files.createDirectories(work.resolve(node.name + "-conf"));
            Files.writeString(conf.resolve("io.gencluster.dist.tcp.cfg"), String.join("\n",
                    "node.name = ${gencluster.node.name}",
                    "port = ${gencluster.port}",
                    "bind.address = 127.0.0.1",
                    "cookie = " + cookie,
                    "epmd.register = false",
                    // every node on one address: as the dist-tcp README advises for nodes that share one and
                    // start together, the per-address cap rises to their number (a refused dial waits for backoff)
                    "max.handshakes.per.address = " + Math.max(DEFAULT_HANDSHAKES_PER_ADDRESS, n),
                    "mesh.transitive = " + transitive,
                    String.join("\n", Arrays.stream(EXTRA_SETTINGS.split(";")).map(String::strip).toList()), ""));
            Files.writeString(conf.resolve("io.gencluster.discovery.static.cfg"), "nodes = " + String.join(", ", entries) + "\n");
            Files.writeString(conf.resolve("io.gencluster.cfg"), "refresh.interval.ms = " + refreshMs + "\n");
        }
    }

    /** Launches every node, one right after the other; returns when the last was launched. */
    long launchAll() throws IOException {
        for (JvmNode node : nodes) {
            node.launch(distribution, work, JAVA_OPTS);
        }
        return nodes.get(nodes.size() - 1).launchedAt();
    }

    void launch(JvmNode node) throws IOException {
        node.launch(distribution, work, JAVA_OPTS);
    }

    /** Every running node sees every other one. */
    synchronized boolean fullMesh() {
        for (JvmNode node : nodes) {
            Set<String> expected = new TreeSet<>();
            for (JvmNode other : nodes) {
                if (other != node) {
                    expected.add(other.name);
                }
            }
            if (!node.members().equals(expected)) {
                return false;
            }
        }
        return true;
    }

    /** No node but {@code gone} lists it. */
    synchronized boolean noneSees(JvmNode gone) {
        for (JvmNode node : nodes) {
            if (node != gone && node.members().contains(gone.name)) {
                return false;
            }
        }
        return true;
    }

    /** The latest start of a cluster component (first membership line), 0 if one has not started. */
    synchronized long lastClusterStart() {
        long last = 0;
        for (JvmNode node : nodes) {
            if (node.firstLineAt() == 0) {
                return 0;
            }
            last = Math.max(last, node.firstLineAt());
        }
        return last;
    }

    /**
     * Waits until {@code condition} holds; returns the {@link System#nanoTime()} of the membership
     * line that made it hold (now, if it already does), or -1 after {@code timeoutMs} or when a node
     * ended on its own.
     */
    synchronized long await(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        if (condition.getAsBoolean()) {
            return System.nanoTime();
        }
        awaited = condition;
        heldAt = 0;
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (heldAt == 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return -1;
                }
                wait(Math.min(left, 1000));
            }
            return heldAt;
        } finally {
            awaited = null;
        }
    }

    /** Called by a node's reader, under this lock, after its membership changed. */
    void changed(long at) {
        if (awaited != null && heldAt == 0 && awaited.getAsBoolean()) {
            heldAt = at;
            notifyAll();
        }
    }

    /** Stops every node with SIGTERM, as a user does, and waits for each to end. */
    void terminate() throws IOException, InterruptedException {
        for (JvmNode node : nodes) {
            node.terminate();
        }
    }

    /** Stops every node by its PID, then deletes their framework caches (the logs stay). */
    @Override
    public void close() {
        for (JvmNode node : nodes) {
            node.stop();
        }
        for (JvmNode node : nodes) {
            Path data = work.resolve(node.name + "-data");
            if (Files.isDirectory(data)) {
                try (Stream<Path> paths = Files.walk(data)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException | UncheckedIOException e) {
                    System.err.println("could not delete " + data + ": " + e);
                }
            }
        }
    }
}
