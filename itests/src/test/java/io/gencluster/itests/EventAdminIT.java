package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.awaitMembers;
import static io.gencluster.itests.EmbeddedNodes.names;
import static io.gencluster.itests.EmbeddedNodes.runtime;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.itests.node.FelixNode;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
        Class<?> type = eventAdmin.loadClass("org.osgi.service.event.EventHandler");
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            switch (m.getName()) {
                case "handleEvent":
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
