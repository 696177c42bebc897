package io.gencluster.itests.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The main job: three local nodes, each a separate JVM running Felix with the gen-cluster bundles,
 * configured through ConfigAdmin with epmd-all discovery and its defaults: each node registers with
 * the host's port mapper (a running epmd, or one the first node serves itself) and connects to
 * every gen-cluster node registered there. Prints each node's membership as it
 * changes, until all three are connected; then kills one node hard, shows the others report it
 * down, restarts it, and shows the mesh form again. Exits 0 when every step was seen in time.
 */
public final class Demo {

    private static final long STEP_TIMEOUT_MS = 60_000;
    private static final String[] NAMES = {"n1", "n2", "n3"};

    private final Path bundles;
    private final Path work;
    private final String cookie;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Set<String>> members = new LinkedHashMap<>();
    private final long start = System.nanoTime();

    private Demo(Path bundles, Path work) {
        this.bundles = bundles;
        this.work = work;
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        this.cookie = java.util.HexFormat.of().formatHex(b);
    }

    public static void main(String[] args) throws Exception {
        Path bundles = Path.of(args.length > 0 ? args[0] : "itests/target/bundles");
        Path work = Files.createTempDirectory("gen-cluster-demo");
        Demo demo = new Demo(bundles, work);
        int code;
        try {
            code = demo.run() ? 0 : 1;
        } finally {
            demo.stopAll();
        }
        System.exit(code);
    }

    private boolean run() throws Exception {
        for (String n : NAMES) {
            ports.put(n, freePort());
        }
        say("starting " + String.join(", ", nodeNames()) + " (epmd-all discovery, refresh 1000 ms)");
        for (String n : NAMES) {
            start(n);
        }
        if (!await("full mesh", this::fullMesh)) {
            return false;
        }
        say("full mesh formed: every node sees the other two");
        say("killing n3 hard (kill -9, pid " + nodes.get("n3").process.pid() + ")");
        nodes.remove("n3").process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        members.remove("n3");
        if (!await("n1 and n2 to report n3 down", () -> !seen("n1").contains(full("n3")) && !seen("n2").contains(full("n3")))) {
            return false;
        }
        say("n1 and n2 report n3 down; restarting n3");
        start("n3");
        if (!await("full mesh again", this::fullMesh)) {
            return false;
        }
        say("full mesh formed again; stopping the nodes");
        return true;
    }

    private boolean fullMesh() {
        for (String n : NAMES) {
            Set<String> expected = new TreeSet<>(nodeNames());
            expected.remove(full(n));
            if (!seen(n).equals(expected)) {
                return false;
            }
        }
        return true;
    }

    private synchronized Set<String> seen(String node) {
        return members.getOrDefault(node, Set.of());
    }

    private synchronized boolean await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                say("FAILED: no " + what + " within " + STEP_TIMEOUT_MS + " ms; node logs are in " + work);
                return false;
            }
            wait(left); // woken by every membership change
        }
        return true;
    }

    private synchronized void membersChanged(String node, Set<String> now) {
        if (now.equals(members.put(node, now))) {
            return;
        }
        say(String.format("%-18s members: %s", full(node), now.isEmpty() ? "(none)" : String.join(", ", now)));
        notifyAll();
    }

    private void start(String n) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx128m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(NodeMain.class.getName());
        cmd.addAll(List.of("--bundles", bundles.toString(), "--storage", work.resolve(n + "-cache").toString()));
        cmd.addAll(List.of("--config", "io.gencluster.dist.tcp", "node.name=" + full(n), "bind.address=127.0.0.1",
                "port=" + ports.get(n), "cookie=" + cookie, "tick.ms=500", "tick.timeout.ms=3000"));
        // epmd-all discovery with its defaults: every node registered with this host's port mapper
        // (a running epmd, or the one the first node embeds when there is none)
        cmd.addAll(List.of("--config", "io.gencluster.discovery.epmd"));
        cmd.addAll(List.of("--config", "io.gencluster", "refresh.interval.ms=1000"));
        Process p = new ProcessBuilder(cmd)
                .redirectError(work.resolve(n + ".log").toFile())
                .start();
        Node node = new Node(n, p);
        nodes.put(n, node);
        Thread reader = new Thread(node::read, "demo-" + n);
        reader.setDaemon(true);
        reader.start();
    }

    private void stopAll() {
        for (Node n : nodes.values()) {
            n.stdin.println("quit");
            n.stdin.flush();
        }
        for (Node n : nodes.values()) {
            try {
                if (!n.process.waitFor(15, TimeUnit.SECONDS)) {
                    n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<String> nodeNames() {
        List<String> all = new ArrayList<>();
        for (String n : NAMES) {
            all.add(full(n));
        }
        return all;
    }

    private static String full(String n) {
        return n + "@127.0.0.1";
    }

    private void say(String line) {
        System.out.printf("%7.3f s  %s%n", (System.nanoTime() - start) / 1e9, line);
        System.out.flush();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private final class Node {
        final String name;
        final Process process;
        final PrintWriter stdin;

        Node(String name, Process process) {
            this.name = name;
            this.process = process;
            this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("MEMBERS")) {
                        String rest = line.substring("MEMBERS".length()).trim();
                        Set<String> now = new TreeSet<>();
                        for (String m : rest.split(",")) {
                            if (!m.isBlank()) {
                                now.add(m.trim());
                            }
                        }
                        membersChanged(name, now);
                    } else if (line.equals("NO-CLUSTER")) {
                        membersChanged(name, Set.of());
                    }
                }
            } catch (IOException e) {
                // the process ended; its log file says why
            }
        }
    }
}
