package io.gencluster.distribution;

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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The main job: three local nodes, each started by the distribution's {@code bin/gen-cluster}
 * with a conf directory of its own holding {@code .cfg} files (TCP transport, epmd-all discovery,
 * the runtime). Each node registers with this host's port mapper (a running epmd, or the one the
 * first node serves itself) and connects to every gen-cluster node registered there. Prints each
 * node's membership as the node itself prints it (the membership-log bundle), until all three see
 * each other; then stops one node by its PID, shows the others report it down, starts it again,
 * and shows the mesh form again. Exits 0 when every step was seen within {@value #STEP_TIMEOUT_MS} ms.
 */
public final class Demo {

    private static final long STEP_TIMEOUT_MS = 60_000;
    private static final long STOP_WAIT_S = 15;
    private static final String[] NAMES = {"n1", "n2", "n3"};
    /** The line the membership-log bundle prints on every change. */
    private static final Pattern MEMBERS = Pattern.compile("^members of (\\S+): (.*)$");

    private final Path distribution;
    private final Path work;
    private final String cookie;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Set<String>> members = new LinkedHashMap<>();
    private boolean stopped; // guarded by this: set by stopAll, after which nothing starts or writes in the work directory
    private final long start = System.nanoTime();
    /** A node that ended without being asked to. */
    private String crashed;

    private Demo(Path distribution, Path work) {
        this.distribution = distribution;
        this.work = work;
        byte[] b = new byte[16]; // 128 bits, as every generated cookie has
        new SecureRandom().nextBytes(b);
        this.cookie = HexFormat.of().formatHex(b);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !Files.isExecutable(Path.of(args[0], "bin", "gen-cluster"))) {
            System.err.println("usage: Demo <distribution directory holding bin/gen-cluster>");
            System.exit(2);
        }
        Demo demo = new Demo(Path.of(args[0]).toAbsolutePath(), Files.createTempDirectory("gen-cluster-demo"));
        Thread stopper = new Thread(demo::interrupted, "demo-stop");
        Runtime.getRuntime().addShutdownHook(stopper); // Ctrl-C or SIGTERM: the nodes stop and the directory goes
        int code;
        try {
            code = demo.run() ? 0 : 1;
        } finally {
            demo.stopAll();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
        if (code == 0) {
            demo.removeWork(); // a run that failed keeps its conf dirs and logs, and said where
        }
        System.exit(code);
    }

    private boolean run() throws Exception {
        int[] free = freePorts(NAMES.length);
        for (int i = 0; i < NAMES.length; i++) {
            ports.put(NAMES[i], free[i]);
            writeConf(NAMES[i]);
        }
        say("starting " + String.join(", ", nodeNames()) + " with " + distribution.relativize(distribution.resolve("bin/gen-cluster"))
                + " (epmd-all discovery, refresh 1000 ms; conf dirs and logs in " + work + ")");
        for (String n : NAMES) {
            start(n);
        }
        if (!await("full mesh", this::fullMesh)) {
            return false;
        }
        say("full mesh formed: every node sees the other two");
        Node n3;
        synchronized (this) { // taken out of the nodes and sent SIGTERM at once: stopAll has it or it is on its way
            n3 = nodes.remove("n3");
            members.remove("n3");
            n3.process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its stdout
        }
        say("stopping n3 (kill " + n3.process.pid() + ")");
        if (!n3.process.waitFor(STOP_WAIT_S, TimeUnit.SECONDS)) {
            say("FAILED: n3 did not stop within " + STOP_WAIT_S + " s");
            return false;
        }
        if (!await("n1 and n2 to report n3 down", () -> !seen("n1").contains(full("n3")) && !seen("n2").contains(full("n3")))) {
            return false;
        }
        n3.reader.join(TimeUnit.SECONDS.toMillis(STOP_WAIT_S));
        say("n3 stopped (exit status " + n3.process.exitValue() + " for SIGTERM; "
                + (n3.sawClusterStop ? "it printed 'cluster of " + full("n3") + " stopped' on the way out" : "no clean stop seen")
                + "); n1 and n2 report it down; starting n3 again");
        start("n3");
        if (!await("full mesh again", this::fullMesh)) {
            return false;
        }
        say("full mesh formed again; stopping the nodes");
        return true;
    }

    /**
     * The node's conf directory: what FileInstall turns into its configuration. Name and port
     * come from bin/gen-cluster's --name and --port through ${...} properties, as in the
     * distribution's own conf/.
     */
    private synchronized void writeConf(String n) throws IOException {
        if (stopped) {
            return; // stopped halfway: the directory is being removed
        }
        Path conf = Files.createDirectories(work.resolve(n + "-conf"));
        Files.writeString(conf.resolve("io.gencluster.dist.tcp.cfg"), String.join("\n",
                "node.name = ${gencluster.node.name}",
                "port = ${gencluster.port}",
                "bind.address = 127.0.0.1",
                "cookie = " + cookie,
                // a stopped node's connection closes at once; these bound a frozen one
                "tick.ms = 500",
                "tick.timeout.ms = 3000", ""));
        Files.writeString(conf.resolve("io.gencluster.discovery.epmd.cfg"), "hosts = localhost\n");
        Files.writeString(conf.resolve("io.gencluster.cfg"), "refresh.interval.ms = 1000\n");
    }

    private void start(String n) throws IOException {
        List<String> cmd = List.of(distribution.resolve("bin/gen-cluster").toString(),
                "--name", full(n), "--port", String.valueOf(ports.get(n)),
                "--conf", work.resolve(n + "-conf").toString(), "--data", work.resolve(n + "-data").toString(),
                "--non-interactive");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(work.resolve(n + ".log").toFile());
        // a small node: quick start-up matters more here than peak speed
        pb.environment().put("JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        Node node;
        synchronized (this) { // not after stopAll: a node started then would outlive the demo
            if (stopped) {
                return;
            }
            Process p = pb.start();
            p.getOutputStream().close();
            node = new Node(n, p, new PrintWriter(Files.newBufferedWriter(work.resolve(n + ".out")), true));
            nodes.put(n, node);
        }
        node.reader.start();
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

    private synchronized boolean await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS);
        while (!condition.getAsBoolean()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (crashed != null) {
                say("FAILED: " + crashed + " ended while waiting for " + what + "; node logs are in " + work);
                return false;
            }
            if (left <= 0) {
                say("FAILED: no " + what + " within " + STEP_TIMEOUT_MS + " ms; node logs are in " + work);
                return false;
            }
            wait(left); // woken by every membership change and every node exit
        }
        return true;
    }

    private synchronized void membersChanged(Node node, Set<String> now) {
        if (nodes.get(node.name) != node || now.equals(members.put(node.name, now))) {
            return; // a stopped node's last words
        }
        say(String.format("%-18s members: %s", full(node.name), now.isEmpty() ? "(none)" : String.join(", ", now)));
        notifyAll();
    }

    private synchronized void exited(Node node) {
        if (nodes.get(node.name) == node) {
            crashed = node.name;
            say(node.name + " exited unexpectedly (exit code " + node.process.exitValue() + "); see " + work.resolve(node.name + ".log"));
        }
        notifyAll();
    }

    /** Stops every node by its PID (SIGTERM: the framework stops cleanly), forcibly if it hangs. */
    private synchronized void stopAll() {
        stopped = true;
        List<Node> running = new ArrayList<>(nodes.values());
        nodes.clear();
        for (Node n : running) {
            n.process.toHandle().destroy();
        }
        for (Node n : running) {
            try {
                if (!n.process.waitFor(STOP_WAIT_S, TimeUnit.SECONDS)) {
                    n.process.destroyForcibly().waitFor(STOP_WAIT_S, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The demo was stopped (Ctrl-C, SIGTERM, SIGHUP) before it ended: it stops its nodes and
     * removes its directory, since the user who stopped it has nothing to look at there.
     */
    private void interrupted() {
        stopAll();
        try {
            removeWork();
            say("stopped before the end: nodes stopped, " + work + " removed");
        } catch (IOException | RuntimeException e) {
            say("stopped before the end: nodes stopped; could not remove " + work + ": " + e);
        }
    }

    /** Deletes the run's directory (conf dirs, framework caches, logs: several MiB) once the nodes stopped. */
    private void removeWork() throws IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(work)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
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

    /**
     * {@code n} distinct free ports of 127.0.0.1: each socket stays open until all are chosen, as
     * the kernel may hand out again a port just freed.
     */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    private final class Node {
        final String name;
        final Process process;
        final PrintWriter out;
        final Thread reader;
        volatile boolean sawClusterStop;

        Node(String name, Process process, PrintWriter out) {
            this.name = name;
            this.process = process;
            this.out = out;
            this.reader = new Thread(this::read, "demo-" + name);
            reader.setDaemon(true);
        }

        /** Every stdout line goes to the node's .out file; membership lines are followed. */
        void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.println(line);
                    if (line.equals("cluster of " + full(name) + " stopped")) {
                        sawClusterStop = true; // the membership-log's last word: the framework stopped cleanly
                    }
                    Matcher m = MEMBERS.matcher(line);
                    if (m.matches() && m.group(1).equals(full(name))) {
                        Set<String> now = new TreeSet<>();
                        for (String member : m.group(2).split(",")) {
                            if (!member.isBlank() && !member.trim().equals("(none)")) {
                                now.add(member.trim());
                            }
                        }
                        membersChanged(this, now);
                    }
                }
            } catch (IOException e) {
                // the process ended; its log says why
            } finally {
                out.close();
                try {
                    process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exited(this);
            }
        }
    }
}
