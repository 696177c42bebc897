package io.gencluster.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cluster-level figures of real nodes, each a separate JVM started by the distribution's
 * {@code bin/gen-cluster} (Felix and every bundle) on loopback, static discovery listing every
 * node: time to a full mesh of 3, 10 and 32 nodes started together, with the transitive mesh on
 * and off; in a 10-node cluster, the time for the others to see a node killed (-9) or frozen
 * (SIGSTOP) go, to see a restarted one back, a node's start-up, and an idle node's CPU, RSS and heap
 * after GC. Every process it starts is stopped by its PID at the end, also on failure and on
 * Ctrl-C. Prints Markdown.
 */
public final class JvmClusterBench {

    private static final long REFRESH_MS = 5000; // the documented default of refresh.interval.ms
    private static final long TICK_MS = 500; // dist-tcp's defaults, left unset in the .cfg files
    private static final long TICK_TIMEOUT_MS = 2500;
    private static final long FREEZE_TARGET_MS = 3000; // issue 16: a frozen node reported within 3 s on the defaults
    private static final long SETTLE_MS = 5000;
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private final Path distribution;
    private final Path work;
    private final long idleSeconds;
    private final int largest;
    private final List<JvmCluster> running = new ArrayList<>();

    private JvmClusterBench(Path distribution, Path work, long idleSeconds, int largest) {
        this.distribution = distribution;
        this.work = work;
        this.idleSeconds = idleSeconds;
        this.largest = largest;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !Files.isExecutable(Path.of(args[0], "bin", "gen-cluster"))) {
            System.err.println("usage: JvmClusterBench <distribution directory holding bin/gen-cluster> [idle seconds, default 60] [largest cluster, default 32]");
            System.exit(2);
        }
        long idle = args.length > 1 ? Long.parseLong(args[1]) : 60;
        int largest = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        Path work = Files.createTempDirectory("gen-cluster-jvmbench");
        JvmClusterBench bench = new JvmClusterBench(Path.of(args[0]).toAbsolutePath(), work, idle, largest);
        Thread stopper = new Thread(bench::stopAll, "bench-stop");
        Runtime.getRuntime().addShutdownHook(stopper); // Ctrl-C or timeout's SIGTERM stops the nodes too
        try {
            System.out.print(bench.run());
        } finally {
            bench.stopAll();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
        System.err.println("node logs: " + work);
    }

    private String run() throws Exception {
        String classData = prepareClassData();
        String loadBefore = loadAverage();
        StringBuilder convergence = new StringBuilder();
        convergence.append("| nodes | mesh.transitive | last launch → full mesh | ratio of refresh.interval.ms | target (32 nodes) "
                + "| last cluster start → full mesh | ratio | CPU of all nodes by then ÷ cores |\n|---|---|---|---|---|---|---|---|\n");
        String tenNodes = null;
        int[][] plan = {{3, 1}, {3, 0}, {10, 1}, {10, 0}, {32, 1}, {32, 0}};
        for (int[] p : plan) {
            int n = p[0];
            boolean transitive = p[1] == 1;
            if (n > largest) {
                continue;
            }
            long cap = n <= 3 ? 60_000 : n <= 10 ? 120_000 : 300_000;
            JvmCluster cluster = open(n, transitive);
            try {
                long last = cluster.launchAll();
                long mesh = cluster.await(cluster::fullMesh, cap);
                if (mesh < 0) {
                    convergence.append(String.format(Locale.ROOT, "| %d | %s | not within %,d ms | | %s | | | |%n",
                            n, transitive, cap, n == 32 ? "missed" : "–"));
                    continue;
                }
                double ms = (mesh - last) / 1e6;
                double ratio = ms / REFRESH_MS;
                double fromStart = (mesh - cluster.lastClusterStart()) / 1e6;
                double cpuS = cpuSeconds(cluster);
                convergence.append(String.format(Locale.ROOT, "| %d | %s | %,.0f ms | %.2f | %s | %,.0f ms | %.2f | %.1f s ÷ %d = %.1f s |%n",
                        n, transitive, ms, ratio, n == 32 ? (ratio <= 1.5 ? "≤ 1.5: met" : "≤ 1.5: missed") : "–",
                        fromStart, fromStart / REFRESH_MS, cpuS, CORES, cpuS / CORES));
                if (n == 10 && transitive) {
                    tenNodes = tenNodeFigures(cluster);
                }
            } finally {
                close(cluster);
            }
        }
        return "`JAVA_OPTS=\"" + JvmCluster.JAVA_OPTS + "\"` (as `bin/demo`: a small node, quick start-up). Load average "
                + "when this part started: " + loadBefore + "; when it ended: " + loadAverage() + ".\n\n"
                + "Convergence: every node launched right after the other (as fast as `ProcessBuilder` starts them), "
                + "`refresh.interval.ms = " + REFRESH_MS + "` (the default). *Last launch → full mesh*: from the last node's "
                + "launch until every node has printed all others as members (the target's measure). *Last cluster start → "
                + "full mesh*: from the last node's first membership line (its cluster component started, Felix and bundles "
                + "up) to the same moment, leaving out JVM and framework start-up (0 when that first line already listed every "
                + "other node: they connected to it while its cluster component was starting). *CPU of all nodes by then ÷ cores*: "
                + "the nodes' user + system CPU from launch to full mesh (read from /proc just after), over this machine's cores: "
                + "the least wall time their start-up could take here, however fast the mesh itself forms. " + classData + "\n\n"
                + convergence + "\n"
                + (tenNodes == null ? "No 10-node figures: no 10-node cluster formed in this run.\n" : tenNodes);
    }

    /**
     * Starts one node and stops it with SIGTERM before any cluster is measured: as it stops it writes
     * the class-data archive that {@code bin/gen-cluster} has every later node map, as a user's nodes
     * do from their second start on (unless {@code GEN_CLUSTER_CDS=off}).
     */
    private String prepareClassData() throws Exception {
        String cds = System.getenv("GEN_CLUSTER_CDS");
        if ("off".equals(cds)) {
            return "No class-data archive (`GEN_CLUSTER_CDS=off`).";
        }
        JvmCluster one = open(1, true);
        try {
            one.launchAll();
            if (one.await(() -> one.lastClusterStart() != 0, 60_000) < 0) {
                throw new IOException("the node started to write the class-data archive did not start within 60 s");
            }
            one.terminate();
        } finally {
            close(one);
        }
        return "Every node maps the class-data archive (`bin/gen-cluster`; in " + (cds == null ? "`data/cds/`" : "`" + cds + "`")
                + ") that one node, started and stopped before these clusters, wrote as it stopped.";
    }

    /** Idle cost, crash and freeze detection, restart, on a formed 10-node cluster. */
    private String tenNodeFigures(JvmCluster cluster) throws Exception {
        StringBuilder t = new StringBuilder();
        t.append("| figure (10 nodes, mesh.transitive = true, tick.ms = ").append(TICK_MS).append(", tick.timeout.ms = ")
                .append(TICK_TIMEOUT_MS).append(", the defaults) | measured | target | |\n|---|---|---|---|\n");
        JvmNode idle = cluster.nodes.get(0);
        JvmNode victim = cluster.nodes.get(cluster.nodes.size() - 1);

        Thread.sleep(SETTLE_MS); // let the last refreshes and start-up compilation pass
        long hz = clockTicks();
        long[] ticks0 = new long[cluster.nodes.size()];
        for (int i = 0; i < ticks0.length; i++) {
            ticks0[i] = cluster.nodes.get(i).cpuTicks();
        }
        long wall0 = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
        double wallS = (System.nanoTime() - wall0) / 1e9;
        double idlePct = 0;
        double maxPct = 0;
        long maxRss = 0;
        for (int i = 0; i < ticks0.length; i++) {
            JvmNode node = cluster.nodes.get(i);
            double pct = 100.0 * (node.cpuTicks() - ticks0[i]) / hz / wallS;
            idlePct = i == 0 ? pct : idlePct;
            maxPct = Math.max(maxPct, pct);
            maxRss = Math.max(maxRss, node.rssKib());
        }
        long rss = idle.rssKib();
        t.append(String.format(Locale.ROOT, "| idle CPU of %s over %.0f s (/proc utime+stime) | %.2f %% of one core (busiest of the 10: %.2f %%) "
                + "| < 1 %% | %s |%n", idle.name, wallS, idlePct, maxPct, idlePct < 1 ? "met" : "missed"));
        t.append(String.format(Locale.ROOT, "| RSS of %s (VmRSS) | %.1f MiB (largest of the 10: %.1f MiB) | – | |%n",
                idle.name, rss / 1024.0, maxRss / 1024.0));
        double heapMib = heapAfterGcKib(idle.pid()) / 1024.0;
        t.append(String.format(Locale.ROOT, "| heap of %s after GC (`jcmd GC.run`, then `GC.heap_info` used) | %s | < 64 MiB | %s |%n",
                idle.name, heapMib < 0 ? "not read" : String.format(Locale.ROOT, "%.1f MiB", heapMib),
                heapMib >= 0 && heapMib < 64 ? "met" : "missed"));

        long killed = System.nanoTime();
        victim.kill(); // SIGKILL: the kernel closes its sockets
        long gone = cluster.await(() -> cluster.noneSees(victim), 30_000);
        double crashMs = gone < 0 ? -1 : (gone - killed) / 1e6;
        t.append(String.format(Locale.ROOT, "| crash: `kill -9` of %s → every other node's membership lacks it | %s | < 100 ms | %s |%n",
                victim.name, crashMs < 0 ? "not within 30 s" : String.format(Locale.ROOT, "%.1f ms", crashMs),
                crashMs >= 0 && crashMs < 100 ? "met" : "missed"));

        cluster.launch(victim);
        long back = cluster.await(cluster::fullMesh, 120_000);
        long firstMember;
        synchronized (cluster) {
            firstMember = victim.firstMemberAt();
        }
        t.append(String.format(Locale.ROOT, "| start-up: launch of %s (Felix + bundles, the others running) → its first member line | %s | – | |%n",
                victim.name, firstMember == 0 ? "not within 120 s" : String.format(Locale.ROOT, "%,.0f ms", (firstMember - victim.launchedAt()) / 1e6)));
        t.append(String.format(Locale.ROOT, "| rejoin: restart of the killed %s → full mesh again | %s | – | |%n", victim.name,
                back < 0 ? "not within 120 s" : String.format(Locale.ROOT, "%,.0f ms (%.2f × refresh.interval.ms)",
                        (back - victim.launchedAt()) / 1e6, (back - victim.launchedAt()) / 1e6 / REFRESH_MS)));
        if (back < 0) {
            return t.toString();
        }

        long frozen = System.nanoTime();
        victim.signal("STOP");
        long left = cluster.await(() -> cluster.noneSees(victim), 3 * TICK_TIMEOUT_MS);
        double freezeMs = left < 0 ? -1 : (left - frozen) / 1e6;
        double freezeRatio = freezeMs / TICK_TIMEOUT_MS;
        t.append(String.format(Locale.ROOT, "| freeze: `kill -STOP` of %s → every other node's membership lacks it | %s | ≤ %,d ms, 0.75–1.25 × tick.timeout.ms | %s |%n",
                victim.name, freezeMs < 0 ? "not within " + 3 * TICK_TIMEOUT_MS + " ms"
                        : String.format(Locale.ROOT, "%,.0f ms = %.2f × tick.timeout.ms", freezeMs, freezeRatio),
                FREEZE_TARGET_MS, freezeMs >= 0 && freezeMs <= FREEZE_TARGET_MS && freezeRatio >= 0.75 && freezeRatio <= 1.25 ? "met" : "missed"));
        long resumed = System.nanoTime();
        victim.signal("CONT");
        long whole = cluster.await(cluster::fullMesh, 120_000);
        t.append(String.format(Locale.ROOT, "| resume: `kill -CONT` of %s → full mesh again | %s | – | |%n", victim.name,
                whole < 0 ? "not within 120 s" : String.format(Locale.ROOT, "%,.0f ms (%.2f × refresh.interval.ms)",
                        (whole - resumed) / 1e6, (whole - resumed) / 1e6 / REFRESH_MS)));
        return t.toString();
    }

    /** Runs a full GC in the node, then sums the heap's "used" figures (not Metaspace); -1 if jcmd failed. */
    private static long heapAfterGcKib(long pid) throws IOException, InterruptedException {
        if (jcmd(pid, "GC.run") == null) {
            return -1;
        }
        String info = jcmd(pid, "GC.heap_info");
        if (info == null) {
            return -1;
        }
        long used = 0;
        for (String line : info.split("\n")) {
            Matcher m = USED.matcher(line);
            if (!line.contains("Metaspace") && !line.contains("class space") && m.find()) {
                used += Long.parseLong(m.group(1));
            }
        }
        return used;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? out : null;
    }

    /** The user + system CPU all nodes of the cluster used since their launch. */
    private static double cpuSeconds(JvmCluster cluster) throws IOException, InterruptedException {
        long ticks = 0;
        for (JvmNode node : cluster.nodes) {
            ticks += node.cpuTicks();
        }
        return ticks / (double) clockTicks();
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + ", " + f[1] + ", " + f[2];
    }

    private static long clockTicks() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readNBytes(64), StandardCharsets.UTF_8).trim();
        }
        p.waitFor(10, TimeUnit.SECONDS);
        return out.isEmpty() ? 100 : Long.parseLong(out);
    }

    private JvmCluster open(int n, boolean transitive) throws IOException {
        Path dir = Files.createDirectories(work.resolve(n + "-" + (transitive ? "transitive" : "direct")));
        JvmCluster cluster = new JvmCluster(distribution, dir, n, transitive, REFRESH_MS);
        synchronized (running) {
            running.add(cluster);
        }
        return cluster;
    }

    private void close(JvmCluster cluster) {
        cluster.close();
        synchronized (running) {
            running.remove(cluster);
        }
    }

    private void stopAll() {
        List<JvmCluster> all;
        synchronized (running) {
            all = new ArrayList<>(running);
            running.clear();
        }
        all.forEach(JvmCluster::close);
    }
}
