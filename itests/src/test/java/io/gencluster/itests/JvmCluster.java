package io.gencluster.itests;

import static io.gencluster.itests.NodeProcess.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Nodes n1, n2, ... as separate JVMs on 127.0.0.1, each on a port chosen at the start, with static
 * discovery and the runtime; what the fault tests share. Every process is killed in {@link #close()}.
 */
final class JvmCluster implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final String COOKIE = "c00kie-for-integration-tests";
    static final long REFRESH_MS = 1000;
    static final long BACKOFF_MAX_MS = 500;
    static final long TICK_TIMEOUT_MS = 2000;
    static final long HANDSHAKE_MS = 1000;

    final Path work;
    final Map<String, Integer> ports = new LinkedHashMap<>();
    private final List<NodeProcess> processes = new ArrayList<>();

    JvmCluster(String test, String... names) throws IOException {
        work = Files.createDirectories(Path.of(System.getProperty("work.dir"), test + "-" + System.nanoTime()));
        ports.putAll(FreePorts.forNames(names));
    }

    static String full(String name) {
        return name + "@127.0.0.1";
    }

    static Set<String> names(String... names) {
        Set<String> out = new TreeSet<>();
        for (String n : names) {
            out.add(full(n));
        }
        return out;
    }

    /** Every node's name but {@code name}'s. */
    Set<String> othersThan(String name) {
        Set<String> out = new TreeSet<>();
        for (String n : ports.keySet()) {
            if (!n.equals(name)) {
                out.add(full(n));
            }
        }
        return out;
    }

    Map<String, String> dist(String name) {
        Map<String, String> dist = new LinkedHashMap<>(Map.of("node.name", full(name), "bind.address", "127.0.0.1",
                "port", String.valueOf(ports.get(name)), "cookie", COOKIE, "tick.ms", "200",
                "tick.timeout.ms", String.valueOf(TICK_TIMEOUT_MS), "handshake.timeout.ms", String.valueOf(HANDSHAKE_MS),
                "epmd.register", "false"));
        return dist;
    }

    static Map<String, String> runtime() {
        return new LinkedHashMap<>(Map.of("refresh.interval.ms", String.valueOf(REFRESH_MS), "reconnect.backoff.initial.ms", "100",
                "reconnect.backoff.max.ms", String.valueOf(BACKOFF_MAX_MS), "connect.timeout.ms", String.valueOf(HANDSHAKE_MS)));
    }

    /** The static list naming every other node at its own port. */
    String staticList(String name) {
        StringBuilder list = new StringBuilder();
        for (String n : ports.keySet()) {
            if (!n.equals(name)) {
                list.append(list.length() == 0 ? "" : ",").append(full(n)).append(':').append(ports.get(n));
            }
        }
        return list.toString();
    }

    /** A node with its transport, static discovery of every other node and the runtime. */
    NodeProcess start(String name) throws Exception {
        return start(name, configs("io.gencluster.dist.tcp", dist(name),
                "io.gencluster.discovery.static", Map.of("nodes", staticList(name)), "io.gencluster", runtime()));
    }

    /**
     * A node as {@link #start(String)} starts it, but with {@code tick.ms} and
     * {@code tick.timeout.ms} from {@code ticks}: an empty map leaves dist-tcp's defaults.
     */
    NodeProcess startWithTicks(String name, Map<String, String> ticks) throws Exception {
        return startWithTicks(name, ticks, Map.of());
    }

    /** As {@link #startWithTicks(String, Map)}, with the runtime's settings of {@code runtime} over {@link #runtime()}'s. */
    NodeProcess startWithTicks(String name, Map<String, String> ticks, Map<String, String> runtime) throws Exception {
        Map<String, String> dist = dist(name);
        dist.remove("tick.ms");
        dist.remove("tick.timeout.ms");
        dist.putAll(ticks);
        Map<String, String> settings = runtime();
        settings.putAll(runtime);
        return start(name, configs("io.gencluster.dist.tcp", dist,
                "io.gencluster.discovery.static", Map.of("nodes", staticList(name)), "io.gencluster", settings));
    }

    /** A node with only its transport: it dials nobody. */
    NodeProcess startTransportOnly(String name) throws Exception {
        return start(name, configs("io.gencluster.dist.tcp", dist(name)));
    }

    NodeProcess start(String name, Map<String, Map<String, String>> configs) throws Exception {
        NodeProcess p = NodeProcess.start(name, work, configs);
        processes.add(p);
        return p;
    }

    /**
     * Waits until {@code p}'s members are every other node's but {@code gone}'s. The membership a
     * node prints is polled, so it can follow a node-down event by a moment: a test that resumes a
     * node once its peers reported it down waits for this too, or a membership printed late could
     * pass for one printed after the resume.
     */
    void awaitMembersWithout(NodeProcess p, String gone) throws InterruptedException {
        Set<String> expected = othersThan(p.name);
        expected.remove(full(gone));
        p.awaitMembers(expected, TIMEOUT);
    }

    /** How many events each of {@code nodes} has printed so far: a later check reads only what comes after. */
    static Map<NodeProcess, Integer> eventMarks(List<NodeProcess> nodes) {
        Map<NodeProcess, Integer> marks = new HashMap<>();
        for (NodeProcess p : nodes) {
            marks.put(p, p.events().size());
        }
        return marks;
    }

    /** Asserts that no node of {@code marks} printed a node down since, and that each has every other node as member. */
    void assertNoneDownSince(Map<NodeProcess, Integer> marks) {
        marks.forEach((p, mark) -> {
            List<NodeProcess.Event> all = p.events();
            List<NodeProcess.Event> downs = all.subList(mark, all.size()).stream().filter(e -> e.text().startsWith("node down ")).toList();
            assertEquals(List.of(), downs, p.name + " reported a node down");
            assertEquals(othersThan(p.name), p.members(), p.name + "'s members");
        });
    }

    /** Waits until each node's members are every other node's. */
    long awaitMesh(NodeProcess... nodes) throws InterruptedException {
        long max = 0;
        for (NodeProcess p : nodes) {
            max = Math.max(max, p.awaitMembers(othersThan(p.name), TIMEOUT));
        }
        return max;
    }

    /**
     * Runs {@code check} every 20 ms for {@code window}: an absence (of an event, of a change) can
     * only be observed over a bounded time, chosen longer than what could bring it about.
     */
    static void during(Duration window, Runnable check) throws InterruptedException {
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            check.run();
            TimeUnit.MILLISECONDS.sleep(20);
        }
        check.run();
    }

    static long ms(long fromNanos, long toNanos) {
        return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
    }

    @Override
    public void close() throws InterruptedException {
        for (NodeProcess p : processes) {
            p.kill();
        }
    }
}
