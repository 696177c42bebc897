package io.gencluster.itests;

import io.gencluster.itests.node.FelixNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Nodes as Felix frameworks inside the test JVM, each with its own bundles and ConfigAdmin,
 * configured only through ConfigAdmin, on 127.0.0.1. Closed in teardown.
 */
final class EmbeddedNodes implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How often state is sampled while waiting for it (there is no cross-framework event to block on). */
    private static final long SAMPLE_MS = 20;

    private final Path work;
    private final List<FelixNode> nodes = new ArrayList<>();
    final Map<String, Integer> ports = new LinkedHashMap<>();

    EmbeddedNodes(String test) throws Exception {
        work = Files.createDirectories(Path.of(System.getProperty("work.dir"), test + "-" + System.nanoTime()));
    }

    /** Starts a node whose transport listens on an ephemeral loopback port; records that port. */
    FelixNode start(String name, String cookie) throws Exception {
        return start(name, cookie, Map.of());
    }

    /** {@link #start(String, String)} with further (or other) settings of the transport. */
    FelixNode start(String name, String cookie, Map<String, String> dist) throws Exception {
        FelixNode node = new FelixNode(Path.of(System.getProperty("bundles.dir")), work.resolve(name));
        nodes.add(node);
        node.start();
        Map<String, String> props = new LinkedHashMap<>(Map.of(
                "node.name", full(name), "bind.address", "127.0.0.1", "port", "0", "cookie", cookie,
                "tick.ms", "200", "tick.timeout.ms", "2000", "epmd.register", "false",
                "mesh.transitive", "false")); // what discovery alone does
        props.putAll(dist);
        node.configure("io.gencluster.dist.tcp", props);
        ports.put(name, node.awaitDistPort(TIMEOUT));
        return node;
    }

    /**
     * Starts a node configured only by the .cfg files of {@code conf}, which FileInstall watches,
     * polling every 200 ms for changes (new files are seen at once); nothing else configures it.
     */
    FelixNode startWatching(String name, Path conf) throws Exception {
        FelixNode node = new FelixNode(Path.of(System.getProperty("bundles.dir")), work.resolve(name), Map.of(
                "felix.fileinstall.dir", conf.toString(),
                "felix.fileinstall.poll", "200",
                "felix.fileinstall.noInitialDelay", "true",
                "felix.fileinstall.filter", ".*\\.(cfg|config)",
                "felix.fileinstall.log.level", "3"));
        nodes.add(node);
        node.start();
        node.install(Path.of(System.getProperty("fileinstall.jar")));
        return node;
    }

    /** The test's own directory, for files it writes. */
    Path work() {
        return work;
    }

    /** Static discovery of the named nodes (started before, so their ports are known). */
    void discover(FelixNode node, String... names) {
        StringBuilder list = new StringBuilder();
        for (String n : names) {
            list.append(list.length() == 0 ? "" : ",").append(full(n)).append(':').append(ports.get(n));
        }
        node.configure("io.gencluster.discovery.static", Map.of("nodes", list.toString()));
    }

    /** The runtime, refreshing every 500 ms with a 100..500 ms backoff, plus {@code extra}. */
    static void runtime(FelixNode node, String... extra) {
        Map<String, String> props = new LinkedHashMap<>(Map.of(
                "refresh.interval.ms", "500", "reconnect.backoff.initial.ms", "100", "reconnect.backoff.max.ms", "500"));
        for (int i = 0; i < extra.length; i += 2) {
            props.put(extra[i], extra[i + 1]);
        }
        node.configure("io.gencluster", props);
    }

    static String full(String name) {
        return name + "@127.0.0.1";
    }

    static Set<String> names(String... names) {
        Set<String> out = new java.util.TreeSet<>();
        for (String n : names) {
            out.add(full(n));
        }
        return out;
    }

    /** Waits until {@code node}'s Cluster service reports exactly {@code expected}. */
    static void awaitMembers(FelixNode node, Set<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!node.members().equals(Optional.of(expected))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected members " + expected + " within " + TIMEOUT + ", have " + node.describe());
            }
            TimeUnit.MILLISECONDS.sleep(SAMPLE_MS);
        }
    }

    /** Waits until {@code node}'s runtime has refreshed and discovers exactly {@code expected}. */
    static void awaitDiscovered(FelixNode node, Set<String> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!node.discovered().equals(Optional.of(expected))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected discovered " + expected + " within " + TIMEOUT + ", have " + node.discovered());
            }
            TimeUnit.MILLISECONDS.sleep(SAMPLE_MS);
        }
    }

    /** Waits until {@code actual} gives {@code expected}; fails naming {@code what} and the last value seen. */
    static void await(String what, java.util.function.Supplier<Object> actual, Object expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!expected.equals(actual.get())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": expected " + expected + " within " + TIMEOUT + ", have " + actual.get());
            }
            TimeUnit.MILLISECONDS.sleep(SAMPLE_MS);
        }
    }

    /**
     * Checks that {@code member} does not appear among {@code node}'s members during the whole
     * {@code window}. An absence can only be observed over a bounded time: the window is chosen
     * longer than every timer that could bring the node back (refresh interval plus backoff).
     */
    static void assertNeverMember(FelixNode node, String member, Duration window) throws InterruptedException {
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            if (node.members().orElse(Set.of()).contains(member)) {
                throw new AssertionError(member + " became a member again: " + node.describe());
            }
            TimeUnit.MILLISECONDS.sleep(SAMPLE_MS);
        }
    }

    @Override
    public void close() throws Exception {
        for (FelixNode n : nodes) {
            n.close();
        }
    }
}
