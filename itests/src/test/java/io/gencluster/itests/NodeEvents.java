package io.gencluster.itests;

import io.gencluster.itests.node.FelixNode;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceRegistration;

/**
 * What happens in one node, as it happens: service events, ConfigAdmin's configuration events
 * ({@code UPDATED pid}, {@code DELETED pid}) and the cluster's node up/down events
 * ({@code NODE_UP name}, {@code NODE_DOWN name}). {@link #await} re-checks its condition whenever
 * one of them arrives, so tests wait for what they expect instead of sleeping.
 *
 * <p>The listeners implement the bundles' own interfaces through proxies, registered by the
 * bundles that define them, because the test shares only the framework API with the node.
 */
final class NodeEvents implements AutoCloseable {

    /** Guards against a state change that comes with no event of its own; events wake us sooner. */
    private static final long RECHECK_MS = 250;

    private final FelixNode node;
    private final List<String> events = new ArrayList<>();
    private final ServiceListener serviceListener = e -> changed(null);
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    NodeEvents(FelixNode node) {
        this.node = node;
        node.context().addServiceListener(serviceListener);
        registrations.add(register(node.bundle("org.apache.felix.configadmin"), "org.osgi.service.cm.ConfigurationListener",
                "configurationEvent", event -> {
                    int type = (Integer) invoke(event, "getType");
                    return (type == 1 ? "UPDATED " : type == 2 ? "DELETED " : "LOCATION ") + invoke(event, "getPid");
                }));
        registrations.add(register(node.bundle("io.gencluster.api"), "io.gencluster.api.ClusterListener",
                "clusterEvent", event -> invoke(event, "type") + " " + invoke(event, "node")));
    }

    /** Every configuration and cluster event so far, in order. */
    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** How many events so far equal {@code event}. */
    synchronized long count(String event) {
        return events.stream().filter(event::equals).count();
    }

    /** Waits until {@code condition} holds; fails naming {@code what} and {@code state} otherwise. */
    synchronized void await(String what, BooleanSupplier condition, Supplier<Object> state, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("no " + what + " within " + timeout + "; now: " + state.get() + "; events: " + events);
            }
            wait(Math.min(left, RECHECK_MS));
        }
    }

    private synchronized void changed(String event) {
        if (event != null) {
            events.add(event);
        }
        notifyAll();
    }

    private ServiceRegistration<?> register(Bundle owner, String type, String method,
            java.util.function.Function<Object, String> describe) {
        try {
            Class<?> iface = owner.loadClass(type);
            Object proxy = Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, (p, m, args) -> {
                switch (m.getName()) {
                    case "equals":
                        return p == args[0];
                    case "hashCode":
                        return System.identityHashCode(p);
                    case "toString":
                        return "test listener " + type;
                    default:
                        if (m.getName().equals(method)) {
                            changed(describe.apply(args[0]));
                        }
                        return null;
                }
            });
            return owner.getBundleContext().registerService(type, proxy, new Hashtable<>());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("bundle " + owner.getSymbolicName() + " has no " + type, e);
        }
    }

    private static Object invoke(Object target, String method) {
        try {
            // ConfigurationEvent and ClusterEvent are public classes of the bundles' packages
            return target.getClass().getMethod(method).invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call " + method + " on " + target, e);
        }
    }

    @Override
    public void close() {
        try {
            node.context().removeServiceListener(serviceListener);
            for (ServiceRegistration<?> r : registrations) {
                r.unregister();
            }
        } catch (IllegalStateException stopped) {
            // the framework stopped first; its registrations went with it
        }
    }
}
