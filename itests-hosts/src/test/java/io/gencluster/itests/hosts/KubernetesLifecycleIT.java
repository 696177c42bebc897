package io.gencluster.itests.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.Figures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * examples/kubernetes as shipped, through the two moments of a Deployment's life that the
 * steady-state test ({@link DeploymentsIT}) does not see: every pod starting at once while the
 * headless Service's endpoints are published one by one, and a rolling restart under traffic.
 */
class KubernetesLifecycleIT {

    private static final int HOSTS = 5;
    private static final String SERVICE = "gen-cluster.default.svc.cluster.local";
    /** Kubernetes publishes a pod's endpoint when it turns ready; here one every this often. */
    private static final long PUBLISH_EVERY_MS = 800;
    /** connect.timeout.ms, left at its default by the example: one attempt's upper bound. */
    private static final long CONNECT_TIMEOUT_MS = 5000;
    /** Five JVMs on two cores: what a busy machine may add to a refresh and a connect. */
    private static final long SLACK_MS = 5000;
    private static final Duration MESH = Duration.ofSeconds(60);

    /**
     * All pods start at once; the Service's A records start empty and gain one pod's address every
     * {@value #PUBLISH_EVERY_MS} ms. Each node's next refresh after the last record sees every pod,
     * so the nodes form one cluster within refresh.interval.ms + connect.timeout.ms of the last
     * record (plus slack for a loaded machine) and never stay two clusters.
     */
    @Test
    void podsStartingTogetherWhileEndpointsArePublishedFormOneCluster() throws Exception {
        KubernetesExample example = KubernetesExample.read(Path.of(System.getProperty("examples.dir")));
        long refreshMs = Long.parseLong(example.value("io.gencluster.cfg", "refresh.interval.ms"));
        Duration bound = Duration.ofMillis(refreshMs + CONNECT_TIMEOUT_MS + SLACK_MS);
        try (HostCluster c = HostCluster.create(HOSTS, "k8s-startup")) {
            List<String> pods = c.hosts().stream().map(Host::address).toList();
            DnsServer dns = c.network().startDnsmasq(c.host(HOSTS), DnsServer.POD_SEARCH, Map.of(SERVICE, List.of()), List.of());
            long t0 = System.currentTimeMillis();
            for (Host h : c.hosts()) {
                example.writePodConf(c.conf(h), h.address(), c.cookieFile());
                c.start(h, "app@" + h.address());
            }
            // the first pod is ready: from here on nodes run discovery against a growing record set
            c.node(c.host(1)).awaitReady(HostCluster.START);
            long firstReady = System.currentTimeMillis();
            long lastPublished = publishEndpointsOneByOne(dns, pods);
            long allReady = lastPublished; // when every node was seen ready, checked from the last record on
            for (HostNode n : c.nodes()) {
                n.awaitReady(HostCluster.START);
                allReady = Math.max(allReady, System.currentTimeMillis());
            }
            long from = Math.max(lastPublished, allReady);
            c.awaitFullMesh(bound.minusMillis(System.currentTimeMillis() - from));
            long meshed = System.currentTimeMillis();
            assertTrue(meshed - from <= bound.toMillis(), "full mesh " + (meshed - from) + " ms after the last record and all ready, bound " + bound);
            Map<String, Integer> wrong = c.pairsWithoutOneConnection();
            assertEquals(Map.of(), wrong, "pairs without exactly one connection");
            long ups = c.nodes().stream().mapToLong(n -> n.events().stream().filter(e -> e.kind().equals("up")).count()).sum();
            long downs = c.nodes().stream().mapToLong(n -> n.events().stream().filter(e -> e.kind().equals("down")).count()).sum();
            System.out.printf("kubernetes start-up: first ready %d ms, last record %d ms, all ready seen %d ms, mesh %d ms after t0; "
                    + "%d ms from last record to mesh%n", firstReady - t0, lastPublished - t0, allReady - t0, meshed - t0, meshed - lastPublished);
            new Figures("kubernetes-startup").put("hosts", HOSTS).put("refresh.interval.ms", refreshMs)
                    .put("publish.every.ms", PUBLISH_EVERY_MS).put("first.ready.ms", firstReady - t0)
                    .put("last.record.ms", lastPublished - t0).put("all.ready.seen.ms", allReady - t0)
                    .put("mesh.after.last.record.ms", meshed - lastPublished).put("mesh.after.all.ready.ms", meshed - from)
                    .put("bound.ms", bound.toMillis()).put("up.events", ups).put("down.events", downs)
                    .put("pairs.without.one.connection", wrong.size()).write();
        }
    }

    /**
     * The endpoints controller's schedule: one more pod's address in the Service's A records every
     * {@value #PUBLISH_EVERY_MS} ms. The pause is the schedule being modelled, not a wait for
     * anything. Returns when the last record was served.
     */
    private static long publishEndpointsOneByOne(DnsServer dns, List<String> pods) throws InterruptedException {
        long start = System.currentTimeMillis();
        for (int i = 1; i <= pods.size(); i++) {
            Timeline.holdUntil(start + (i - 1) * PUBLISH_EVERY_MS);
            dns.setARecords(Map.of(SERVICE, pods.subList(0, i)));
        }
        return System.currentTimeMillis();
    }

    /**
     * A rolling restart: with node i streaming to node i+1 at one message per ms, each node in turn
     * is stopped (SIGTERM) and started again on its host, the next only once the mesh is whole.
     * Streams between two nodes that stayed up never fail and lose nothing; a stream into a stopped
     * node loses only the tail of a run its sender ended at a down event.
     */
    @Test
    void aRollingRestartUnderTrafficLosesOnlyWhatGoesToAStoppedNode() throws Exception {
        KubernetesExample example = KubernetesExample.read(Path.of(System.getProperty("examples.dir")));
        try (HostCluster c = HostCluster.create(HOSTS, "k8s-rolling")) {
            List<String> pods = c.hosts().stream().map(Host::address).toList();
            c.network().startDnsmasq(c.host(HOSTS), DnsServer.POD_SEARCH, Map.of(SERVICE, pods), List.of());
            for (Host h : c.hosts()) {
                example.writePodConf(c.conf(h), h.address(), c.cookieFile());
                c.start(h, "app@" + h.address());
            }
            c.awaitFullMesh(MESH);
            Path records = Files.createDirectories(Path.of(System.getProperty("work.dir"), "k8s-rolling-records-" + System.nanoTime()));
            StreamSegments streams = new StreamSegments(c, records);
            for (Host h : c.hosts()) {
                streams.start(h);
            }
            Figures figures = new Figures("kubernetes-rolling-restart").put("hosts", HOSTS)
                    .put("stream.interval.us", StreamSegments.INTERVAL_MICROS);
            List<String> remesh = new ArrayList<>();
            for (Host h : c.hosts()) {
                Host before = streams.previous(h);
                String name = c.name(h);
                streams.stopDelivered(h);
                StreamSegments.Segment into = streams.snapshotBeforeReceiverStops(h);
                long stoppedAt = System.currentTimeMillis();
                c.node(h).stop();
                long stopped = System.currentTimeMillis();
                streams.stopAfterReceiverDown(into, stoppedAt, MESH);
                c.start(h, name);
                c.node(h).awaitReady(HostCluster.START);
                long ready = System.currentTimeMillis();
                c.awaitFullMesh(MESH);
                long meshed = System.currentTimeMillis();
                assertEquals(Map.of(), c.pairsWithoutOneConnection(), "pairs without exactly one connection after restarting " + h);
                streams.start(before);
                streams.start(h);
                figures.put("restart." + h.name() + ".stop.ms", stopped - stoppedAt)
                        .put("restart." + h.name() + ".ready.ms", ready - stopped)
                        .put("restart." + h.name() + ".remesh.ms", meshed - stopped)
                        .put("restart." + h.name() + ".remesh.after.ready.ms", meshed - ready);
                remesh.add(h.name() + "=" + (meshed - stopped) + " (ready " + (ready - stopped) + ")");
            }
            streams.stopAll();
            Map<String, long[]> totals = streams.check();
            totals.forEach((stream, t) -> figures.put("stream." + stream + ".sent", t[0]).put("stream." + stream + ".accepted", t[1])
                    .put("stream." + stream + ".failed", t[2]).put("stream." + stream + ".delivered", t[3])
                    .put("stream." + stream + ".unconfirmed", t[4]));
            totals.forEach((stream, t) -> System.out.printf("rolling restart %s: sent %d accepted %d failed %d delivered %d unconfirmed %d%n",
                    stream, t[0], t[1], t[2], t[3], t[4]));
            System.out.println("rolling restart: re-mesh after each start (ms since its stop) " + remesh);
            figures.write();
        }
    }
}
