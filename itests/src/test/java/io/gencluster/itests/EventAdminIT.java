package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.awaitMembers;
import static io.gencluster.itests.EmbeddedNodes.names;
import static io.gencluster.itests.EmbeddedNodes.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.itests.node.FelixNode;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * Node a runs Felix EventAdmin and the bridge bundle; an EventHandler subscribed to
 * io/gencluster/* hears b discovered, up, down and lost, with the properties it documents.
 */
class EventAdminIT {

    private EmbeddedNodes cluster;

    /** One event as an EventHandler saw it: topic and properties. */
    private record Heard(String topic, Map<String, Object> properties) {
    }

    @BeforeEach
    void setUp() throws Exception {
        cluster = new EmbeddedNodes("eventadmin");
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    @Test
    void anEventHandlerHearsANodeDiscoveredUpDownAndLost() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        Bundle eventAdmin = Gogo.install(a, "eventadmin.jar");
        Gogo.install(a, "events.jar");
        BlockingQueue<Heard> heard = new LinkedBlockingQueue<>(1000);
        handler(eventAdmin, "io/gencluster/*", heard);

        FelixNode b = cluster.start("b", "c00kie-for-integration-tests");
        cluster.discover(a, "b");
        cluster.discover(b, "a");
        runtime(a);
        runtime(b);
        awaitMembers(a, names("b"));

        Heard discovered = next(heard, "io/gencluster/NODE_DISCOVERED");
        assertEquals("b@127.0.0.1", discovered.properties().get("node"));
        assertEquals("b@127.0.0.1:" + cluster.ports.get("b"), discovered.properties().get("detail"));
        assertTrue(discovered.properties().get("timestamp") instanceof Long, discovered.toString());
        Heard up = next(heard, "io/gencluster/NODE_UP");
        assertEquals("b", up.properties().get("node.name"));
        assertEquals("127.0.0.1", up.properties().get("node.host"));

        b.close(); // its transport shuts down: a sees the connection closed
        Heard down = next(heard, "io/gencluster/NODE_DOWN");
        assertEquals("b@127.0.0.1", down.properties().get("node"));
        assertEquals("CONNECTION_CLOSED", down.properties().get("reason"));

        cluster.discover(a);
        Heard lost = next(heard, "io/gencluster/NODE_LOST");
        assertEquals("b@127.0.0.1", lost.properties().get("node"));
        assertEquals(null, lost.properties().get("reason"));
    }

    /**
     * EventAdmin stopped (as when its framework stops) while a cluster event is in delivery to a
     * handler: the stop waits until the handler is done with it, uninterrupted, and EventAdmin prints
     * nothing. (Posted to EventAdmin's own threads, the event was left in delivery by the stop, and
     * when those threads were interrupted Felix EventAdmin printed "Event Task Processing
     * Interrupted".)
     */
    @Test
    void eventAdminStoppingWhileAClusterEventIsInDeliveryLetsTheHandlerFinishQuietly() throws Exception {
        FelixNode a = cluster.start("a", "c00kie-for-integration-tests");
        Bundle eventAdmin = Gogo.install(a, "eventadmin.jar");
        Gogo.install(a, "events.jar");
        BlockingQueue<Heard> heard = new LinkedBlockingQueue<>(1000);
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        handler(eventAdmin, "io/gencluster/NODE_DISCOVERED", heard, () -> { // a handler busy with its first event
            inHandler.countDown();
            try {
                release.await(EmbeddedNodes.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(tee(stdout, printed), true)); // Felix EventAdmin warns on System.out
        try {
            cluster.start("b", "c00kie-for-integration-tests");
            cluster.discover(a, "b");
            runtime(a);
            assertTrue(inHandler.await(EmbeddedNodes.TIMEOUT.toSeconds(), TimeUnit.SECONDS), "no NODE_DISCOVERED reached the handler");

            Thread stopper = new Thread(() -> {
                try {
                    eventAdmin.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "stop-eventadmin");
            stopper.start();
            stopper.join(1000); // EventAdmin's stop waits for the bridge, which waits for the delivery
            release.countDown();
            stopper.join(EmbeddedNodes.TIMEOUT.toMillis());
            assertFalse(stopper.isAlive(), "EventAdmin did not stop");
        } finally {
            System.setOut(stdout);
        }
        Heard handled = heard.poll(); // no waiting: the stop is over, so must the delivery be
        assertNotNull(handled, "EventAdmin's stop returned while the cluster event was still in delivery");
        assertEquals("b@127.0.0.1", handled.properties().get("node"));
        assertFalse(interrupted.get(), "the handler was interrupted in the middle of its event");
        String noise = printed.toString().lines().filter(l -> l.contains("EventAdmin")).collect(Collectors.joining("\n"));
        assertEquals("", noise, "EventAdmin's stop printed");
    }

    private static OutputStream tee(OutputStream one, OutputStream two) {
        return new OutputStream() {
            @Override
            public synchronized void write(int b) throws java.io.IOException {
                one.write(b);
                two.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
                one.write(b, off, len);
                two.write(b, off, len);
            }
        };
    }

    /**
     * Waits for the next event of {@code topic}. Events of other topics are kept for later calls,
     * not dropped: a node may come up before this node's own discovery lists it (it dialled
     * first), so NODE_UP can come before NODE_DISCOVERED; b may also be retried and refused.
     */
    private static Heard next(BlockingQueue<Heard> heard, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + EmbeddedNodes.TIMEOUT.toNanos();
        List<Heard> others = new ArrayList<>();
        try {
            while (System.nanoTime() < deadline) {
                Heard h = heard.poll(100, TimeUnit.MILLISECONDS);
                if (h != null && h.topic().equals(topic)) {
                    return h;
                }
                if (h != null) {
                    others.add(h);
                }
            }
            throw new AssertionError("no " + topic + " within " + EmbeddedNodes.TIMEOUT + "; heard meanwhile: " + others);
        } finally {
            List<Heard> rest = new ArrayList<>();
            heard.drainTo(rest);
            others.addAll(rest);
            heard.addAll(others); // in the order heard, ahead of what comes next
        }
    }

    /**
     * Registers an EventHandler for {@code topics}, through the EventAdmin bundle (which exports
     * the event package) so that the handler's interface is the one EventAdmin sees.
     */
    private static void handler(Bundle eventAdmin, String topics, BlockingQueue<Heard> heard) throws Exception {
        handler(eventAdmin, topics, heard, () -> { });
    }

    /** As above; {@code busy} runs in the handler before it records the event. */
    private static void handler(Bundle eventAdmin, String topics, BlockingQueue<Heard> heard, Runnable busy) throws Exception {
        Class<?> type = eventAdmin.loadClass("org.osgi.service.event.EventHandler");
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            switch (m.getName()) {
                case "handleEvent":
                    busy.run();
                    Object event = args[0];
                    Map<String, Object> props = new HashMap<>();
                    for (String name : (String[]) call(event, "getPropertyNames")) {
                        props.put(name, event.getClass().getMethod("getProperty", String.class).invoke(event, name));
                    }
                    heard.add(new Heard((String) call(event, "getTopic"), props));
                    return null;
                case "hashCode":
                    return System.identityHashCode(p);
                case "equals":
                    return p == args[0];
                default:
                    return "test event handler";
            }
        });
        Dictionary<String, Object> props = new Hashtable<>(Map.of("event.topics", topics));
        assertNotNull(eventAdmin.getBundleContext());
        eventAdmin.getBundleContext().registerService(type.getName(), proxy, props);
    }

    private static Object call(Object target, String method) throws Exception {
        Method m = target.getClass().getMethod(method);
        return m.invoke(target);
    }
}
