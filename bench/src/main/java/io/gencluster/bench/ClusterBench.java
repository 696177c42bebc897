package io.gencluster.bench;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.discovery.staticpeers.StaticDiscovery;
import io.gencluster.dist.tcp.TcpDist;
import io.gencluster.dist.tcp.TcpDistSettings;
import io.gencluster.runtime.ExecutorScheduler;
import io.gencluster.runtime.RefreshLoop;
import io.gencluster.runtime.RuntimeSettings;
import io.gencluster.spi.Discovery;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Cluster-level figures of many nodes in one JVM, each a {@link TcpDist} with its own
 * {@link RefreshLoop} and static discovery, all on loopback: how long a full mesh takes to form
 * (every node's discovery lists every node, or only the first node, with the transitive mesh
 * closing the rest), how long the others take to see a node's connections close, what one
 * refresh costs a node whose 99 discovered peers are all connected, and how much direct memory
 * the meshed nodes hold at rest. Prints Markdown.
 *
 * <p>An untimed mesh of each scenario forms first, since the first in a JVM pays for class loading
 * and JIT compilation; then the scenarios take turns, {@link #ROUNDS} meshes each, and the median is
 * shown.
 */
public final class ClusterBench {

    private static final long REFRESH_MS = 5000; // the documented default
    private static final long WAIT_S = 120;
    /** Meshes formed per scenario, the scenarios taking turns. */
    private static final int ROUNDS = 3;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        // one untimed mesh of each scenario first: the first to form in a JVM pays for class loading
        // and JIT compilation of the paths it takes (a transitive mesh also those of member lists and
        // the dials they cause), and would make whichever scenario came first look slow
        for (Scenario s : Scenario.values()) {
            try (Mesh mesh = new Mesh(n, s.transitive)) {
                mesh.converge(s.discovery(mesh));
            }
        }
        String refresh = "";
        String memory = "";
        long[][] ms = new long[Scenario.values().length][ROUNDS];
        double[] down = new double[Scenario.values().length * ROUNDS]; // one closed node per mesh
        int meshes = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (Scenario s : Scenario.values()) { // in turn, so that drift during the run moves them alike
                try (Mesh mesh = new Mesh(n, s.transitive)) {
                    ms[s.ordinal()][round] = mesh.converge(s.discovery(mesh));
                    boolean first = s == Scenario.FULL_LIST_TRANSITIVE && round == 0;
                    if (first) {
                        memory = mesh.directMemory() + "\n";
                    }
                    down[meshes++] = mesh.detection();
                    if (first) {
                        refresh = mesh.refreshCost() + "\n"; // after detection(): its victim is gone
                    }
                }
            }
        }
        java.util.Arrays.sort(down);
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "Closed connections (a node's sockets closed, as when its process is killed), once in each of the %d meshes: "
                        + "the %d others all reported it down in **%.1f ms** (median; lowest %.1f, highest %.1f).%n%n",
                down.length, n - 1, down[down.length / 2], down[0], down[down.length - 1]));
        report.append(refresh).append(memory);
        report.append("| scenario (").append(n).append(" nodes in one JVM, refresh.interval.ms = ").append(REFRESH_MS)
                .append(") | time to full mesh (median of ").append(ROUNDS).append("; lowest–highest) | ratio of refresh.interval.ms |\n|---|---|---|\n");
        for (Scenario s : Scenario.values()) {
            long[] sorted = ms[s.ordinal()].clone();
            java.util.Arrays.sort(sorted);
            long median = sorted[ROUNDS / 2];
            report.append(String.format(Locale.ROOT, "| %s | %,d ms (%,d–%,d) | %.2f |%n", s.label, median, sorted[0], sorted[ROUNDS - 1],
                    median / (double) REFRESH_MS));
        }
        System.out.print(report);
    }

    private enum Scenario {
        FULL_LIST_TRANSITIVE("every node lists all, mesh.transitive = true", true, false),
        FULL_LIST_DIRECT("every node lists all, mesh.transitive = false", false, false),
        FIRST_ONLY_TRANSITIVE("every node lists only node 0, mesh.transitive = true", true, true);

        final String label;
        final boolean transitive;
        final boolean firstOnly;

        Scenario(String label, boolean transitive, boolean firstOnly) {
            this.label = label;
            this.transitive = transitive;
            this.firstOnly = firstOnly;
        }

        IntFunction<Discovery> discovery(Mesh mesh) {
            List<String> all = mesh.entries();
            return i -> new StaticDiscovery(firstOnly ? all.subList(0, 1) : all);
        }
    }

    /** {@code n} started transports; loops are added by {@link #converge}. */
    private static final class Mesh implements AutoCloseable {
        final List<TcpDist> nodes = new ArrayList<>();
        final List<RefreshLoop> loops = new ArrayList<>();
        final List<ExecutorScheduler> schedulers = new ArrayList<>();
        final ExecutorService discoveryPool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "bench-discovery");
            t.setDaemon(true);
            return t;
        });

        Mesh(int n, boolean transitive) throws Exception {
            byte[] cookie = "bench-cookie-of-the-benchmark".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < n; i++) {
                // every node on one address: the caps that keep one address from taking every handshake
                // slot (16 of 64 by default) would hold back n - 1 legitimate peers dialling at once
                TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse("n" + i + "@127.0.0.1"), cookie)
                        .bindAddress("127.0.0.1").port(0).transitive(transitive)
                        .maxHandshakes(n).maxHandshakesPerAddress(n).maxOutgoingHandshakes(n).build());
                d.start();
                nodes.add(d);
            }
        }

        List<String> entries() {
            List<String> all = new ArrayList<>();
            for (TcpDist d : nodes) {
                all.add(d.self() + ":" + d.port());
            }
            return all;
        }

        /** Starts every node's loop at once; returns the milliseconds until every node sees all others. */
        long converge(IntFunction<Discovery> discovery) throws Exception {
            int n = nodes.size();
            CountDownLatch full = new CountDownLatch(n);
            List<AtomicInteger> up = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                AtomicInteger count = new AtomicInteger();
                up.add(count);
                ExecutorScheduler scheduler = new ExecutorScheduler("bench-refresh-" + i);
                schedulers.add(scheduler);
                RefreshLoop loop = new RefreshLoop(nodes.get(i), RuntimeSettings.defaults(), scheduler, discoveryPool,
                        new SecureRandom(), e -> {
                            if (e.type() == ClusterEvent.Type.NODE_UP && count.incrementAndGet() == n - 1) {
                                full.countDown();
                            }
                        });
                loop.addDiscovery("static", "static", discovery.apply(i));
                loops.add(loop);
            }
            long start = System.nanoTime();
            loops.forEach(RefreshLoop::start);
            if (!full.await(WAIT_S, TimeUnit.SECONDS)) {
                throw new IllegalStateException(full.getCount() + " nodes still lack members after " + WAIT_S + " s");
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }

        /**
         * Closes the last node's transport; the time until the last other node reported it down,
         * taken when that report came (not when {@code close} returned: the victim's own shutdown,
         * joining its threads, is not the others' detection).
         */
        double detection() throws Exception {
            TcpDist victim = nodes.get(nodes.size() - 1);
            CountDownLatch down = new CountDownLatch(nodes.size() - 1);
            AtomicLong lastDown = new AtomicLong();
            for (TcpDist d : nodes) {
                if (d != victim) {
                    d.addListener(e -> {
                        if (e.type() == ClusterEvent.Type.NODE_DOWN && e.node().equals(victim.self())) {
                            lastDown.accumulateAndGet(System.nanoTime(), Math::max);
                            down.countDown();
                        }
                    });
                }
            }
            long start = System.nanoTime();
            victim.close();
            if (!down.await(WAIT_S, TimeUnit.SECONDS)) {
                throw new IllegalStateException(down.getCount() + " nodes did not see " + victim.self() + " go down");
            }
            return (lastDown.get() - start) / 1e6;
        }

        /**
         * The direct memory (socket buffers) the meshed nodes hold at rest: read once collections
         * have freed the buffers of connections already closed (those of dials that lost to a
         * simultaneous one, and of earlier meshes), that is when three readings, each 100 ms after
         * a collection, agree: two alone can agree while the cleaners have not run yet (a run read
         * 192 MiB in 91,804 buffers, the runs before and after it 41.2 MiB in 19,900).
         */
        String directMemory() throws InterruptedException {
            BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
            long used = direct.getMemoryUsed();
            int same = 0;
            for (int collections = 0; same < 2 && collections < 30; collections++) {
                long before = used;
                System.gc();
                Thread.sleep(100); // the buffers' cleaners run on a thread of their own after the collection
                used = direct.getMemoryUsed();
                same = used == before ? same + 1 : 0;
            }
            return String.format(Locale.ROOT, "Direct memory (socket buffers) held by the %d meshed nodes at rest: **%.1f MiB**, "
                    + "%.0f KiB a node, in %,d buffers.%n", nodes.size(), used / 1048576.0, used / 1024.0 / nodes.size(), direct.getCount());
        }

        /**
         * One node's loop refreshing every 100 ms with every peer already connected: CPU time and
         * allocation on its loop thread per refresh. The baseline is the least any refresh must do:
         * copy the discovered set and check each peer against the members.
         */
        String refreshCost() throws Exception {
            TcpDist node = nodes.get(0);
            loops.get(0).close();
            List<String> all = entries().subList(0, nodes.size() - 1); // the victim of detection() is gone
            AtomicInteger refreshes = new AtomicInteger();
            StaticDiscovery list = new StaticDiscovery(all);
            Discovery counted = () -> {
                refreshes.incrementAndGet();
                return list.peers();
            };
            ExecutorScheduler scheduler = new ExecutorScheduler("bench-refresh-cost");
            schedulers.add(scheduler);
            Thread[] loopThread = new Thread[1];
            scheduler.execute(() -> loopThread[0] = Thread.currentThread());
            RefreshLoop loop = new RefreshLoop(node, new RuntimeSettings("100", 5000, 10000, 500, 30000, "keep"), scheduler,
                    Runnable::run, new SecureRandom(), e -> { });
            loop.addDiscovery("static", "static", counted);
            loops.add(loop);
            loop.start();
            Thread.sleep(2000); // first refresh and warm-up
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long tid = loopThread[0].getId();
            int r0 = refreshes.get();
            long cpu0 = threads.getThreadCpuTime(tid);
            long alloc0 = threads.getThreadAllocatedBytes(tid);
            Thread.sleep(5000);
            int count = refreshes.get() - r0;
            double cpuUs = (threads.getThreadCpuTime(tid) - cpu0) / 1e3 / count;
            double allocKb = (threads.getThreadAllocatedBytes(tid) - alloc0) / 1024.0 / count;
            double baseUs = baselineRefreshMicros(list.peers(), node.members());
            return String.format(Locale.ROOT, "One refresh with %d discovered peers, all connected (%d refreshes measured): "
                    + "**%.0f µs CPU** and %.1f KiB allocated on the loop thread, discovery call included; the least such a "
                    + "refresh must do (copy the peers, check each against the members) took %.1f µs in this run: ratio %.0f. "
                    + "Target: under 1 ms of CPU.%n", all.size(), count, cpuUs, allocKb, baseUs, cpuUs / baseUs);
        }

        private static double baselineRefreshMicros(Set<Peer> peers, Set<NodeName> members) {
            int rounds = 20_000;
            long sink = 0;
            long start = 0;
            for (int r = 0; r < 2 * rounds; r++) {
                if (r == rounds) {
                    start = System.nanoTime(); // the first half warms up
                }
                Set<Peer> copy = new HashSet<>(peers);
                for (Peer p : copy) {
                    if (!members.contains(p.node())) {
                        sink++;
                    }
                }
            }
            double us = (System.nanoTime() - start) / 1e3 / rounds;
            return sink == Long.MIN_VALUE ? 0 : us;
        }

        @Override
        public void close() {
            loops.forEach(RefreshLoop::close);
            nodes.forEach(TcpDist::close);
            schedulers.forEach(ExecutorScheduler::close);
            discoveryPool.shutdownNow();
        }
    }
}
