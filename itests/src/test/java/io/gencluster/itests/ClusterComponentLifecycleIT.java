package io.gencluster.itests;

import static io.gencluster.itests.NodeProcess.configs;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.NodeName;
import io.gencluster.spi.Dist;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Inside one real framework (Pax Exam, native Felix container) with the built bundles: the cluster
 * component exists only while its configuration does. The peer runs in a JVM of its own.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClusterComponentLifecycleIT {

    private static final long TIMEOUT_MS = 30_000;
    private static final String COOKIE = "c00kie-for-integration-tests";
    /** The runtime's executors (refresh loop, discovery calls, listener events). */
    private static final String[] RUNTIME_THREADS = {"gencluster-refresh", "gencluster-discovery", "gencluster-events"};

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() throws IOException {
        List<Option> options = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of(System.getProperty("bundles.dir")), "*.jar")) {
            List<Path> sorted = new ArrayList<>();
            jars.forEach(sorted::add);
            sorted.sort(null);
            for (Path jar : sorted) {
                options.add(bundle(jar.toUri().toString()));
            }
        }
        options.add(junitBundles());
        return options(options.toArray(new Option[0]));
    }

    @Test
    public void theClusterComponentExistsOnlyWhileItsConfigurationDoes() throws Exception {
        int peerPort = freePort();
        Path work = Path.of(System.getProperty("work.dir"), "paxexam-" + System.nanoTime());
        // the peer has a transport and a runtime but no discovery: it only waits to be dialled
        NodeProcess peer = NodeProcess.start("peer", work, configs(
                "io.gencluster.dist.tcp", Map.of("node.name", "peer@127.0.0.1", "bind.address", "127.0.0.1",
                        "port", String.valueOf(peerPort), "cookie", COOKIE, "tick.ms", "200", "tick.timeout.ms", "2000",
                        "epmd.register", "false"),
                "io.gencluster", Map.of("refresh.interval.ms", "500")));
        try {
            configure("io.gencluster.dist.tcp", "node.name", "self@127.0.0.1", "bind.address", "127.0.0.1", "port", "0",
                    "cookie", COOKIE, "tick.ms", "200", "tick.timeout.ms", "2000", "epmd.register", "false");
            configure("io.gencluster.discovery.static", "nodes", "peer@127.0.0.1:" + peerPort);
            assertNotNull("transport registered", track(Dist.class).waitForService(TIMEOUT_MS));

            // no runtime configuration: no cluster component
            assertNull(context.getServiceReference(Cluster.class));
            assertEquals(0, clusterComponentConfigurations());

            BlockingQueue<ClusterEvent> events = new LinkedBlockingQueue<>();
            ServiceRegistration<ClusterListener> listener = context.registerService(ClusterListener.class, events::add, null);
            configure("io.gencluster", "refresh.interval.ms", "500");
            Cluster cluster = track(Cluster.class).waitForService(TIMEOUT_MS);
            assertNotNull("cluster component active once configured", cluster);
            ClusterEvent up = events.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertNotNull("node up delivered to a whiteboard listener", up);
            assertEquals(ClusterEvent.Type.NODE_UP, up.type());
            assertEquals(NodeName.parse("peer@127.0.0.1"), up.node());
            assertEquals(Set.of(NodeName.parse("peer@127.0.0.1")), cluster.members());
            peer.awaitMembers(Set.of("self@127.0.0.1"), Duration.ofMillis(TIMEOUT_MS));
            listener.unregister();
            // the very threads, not just their names: an absence check must not pass because a name changed
            List<Thread> runtimeThreads = threads(RUNTIME_THREADS);
            assertTrue("the active runtime runs threads named " + List.of(RUNTIME_THREADS) + ", have " + allThreadNames(),
                    !runtimeThreads.isEmpty());

            // deleting the configuration removes the component and stops its threads
            CountDownLatch gone = new CountDownLatch(1);
            ServiceListener onUnregister = e -> {
                if (e.getType() == ServiceEvent.UNREGISTERING) {
                    gone.countDown();
                }
            };
            context.addServiceListener(onUnregister, "(objectClass=" + Cluster.class.getName() + ")");
            configAdmin.getConfiguration("io.gencluster", "?").delete();
            assertTrue("Cluster service unregistered", gone.await(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            context.removeServiceListener(onUnregister);
            assertNull(context.getServiceReference(Cluster.class));
            assertEquals(0, clusterComponentConfigurations());
            awaitDead(runtimeThreads);
            awaitDead(threads(RUNTIME_THREADS));

            // connections belong to the transport: deleting its configuration closes them
            configAdmin.getConfiguration("io.gencluster.dist.tcp", "?").delete();
            List<Thread> transportThreads = threads("gencluster-tcp-");
            peer.awaitMembers(Set.of(), Duration.ofMillis(TIMEOUT_MS));
            awaitDead(transportThreads);
            awaitDead(threads("gencluster-tcp-"));
        } finally {
            peer.kill();
        }
    }

    private void configure(String pid, String... keyValues) throws IOException {
        Dictionary<String, Object> props = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        configAdmin.getConfiguration(pid, "?").update(props);
    }

    private <T> ServiceTracker<T, T> track(Class<T> type) {
        ServiceTracker<T, T> t = new ServiceTracker<>(context, type, null);
        t.open();
        return t;
    }

    private int clusterComponentConfigurations() {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.name.equals("io.gencluster.runtime.ClusterComponent")) {
                return scr.getComponentConfigurationDTOs(d).size();
            }
        }
        throw new AssertionError("the runtime bundle's component is not known to SCR");
    }

    /** Live threads whose names start with one of {@code prefixes}. */
    private static List<Thread> threads(String... prefixes) {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            for (String p : prefixes) {
                if (t.isAlive() && t.getName().startsWith(p)) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private static List<String> allThreadNames() {
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }

    /** Waits, to a deadline, for every one of {@code threads} to have ended (join is the event). */
    private static void awaitDead(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        List<String> left = new ArrayList<>();
        for (Thread t : threads) {
            if (t.isAlive()) {
                left.add(t.getName());
            }
        }
        assertTrue("threads left after deactivation: " + left, left.isEmpty());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
