package io.gencluster.itests.node;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * One gen-cluster node: an Apache Felix framework running every bundle of a directory, configured
 * through ConfigAdmin. Only the framework API is shared with the caller, so ConfigAdmin and the
 * {@code Cluster} service are reached reflectively through the bundles that define them.
 */
public final class FelixNode implements AutoCloseable {

    private static final long STOP_WAIT_MS = 15_000;
    private static final long CONFIG_ADMIN_WAIT_MS = 30_000;

    private final Path bundles;
    private final Path storage;
    private final Map<String, String> frameworkProperties;
    private Framework framework;

    public FelixNode(Path bundles, Path storage) {
        this(bundles, storage, Map.of());
    }

    /** A node whose framework also gets {@code frameworkProperties} (e.g. felix.fileinstall.dir). */
    public FelixNode(Path bundles, Path storage, Map<String, String> frameworkProperties) {
        this.bundles = bundles;
        this.storage = storage;
        this.frameworkProperties = Map.copyOf(frameworkProperties);
    }

    /** Starts the framework and every bundle in the bundles directory. */
    public void start() throws IOException, BundleException {
        Map<String, String> props = new HashMap<>(frameworkProperties);
        props.put(Constants.FRAMEWORK_STORAGE, storage.toAbsolutePath().toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        framework = factory.newFramework(props);
        framework.start();
        BundleContext ctx = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(bundles, "*.jar")) {
            List<Path> sorted = new ArrayList<>();
            jars.forEach(sorted::add);
            sorted.sort(null);
            for (Path jar : sorted) {
                installed.add(ctx.installBundle(jar.toUri().toString()));
            }
        }
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
    }

    /** Installs and starts one more bundle. */
    public Bundle install(Path jar) throws BundleException {
        Bundle b = context().installBundle(jar.toUri().toString());
        b.start();
        return b;
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    /** Replaces the properties of configuration {@code pid} (created if absent). */
    public void configure(String pid, Map<String, ?> properties) {
        Object configuration = configuration(pid);
        Dictionary<String, Object> dict = new Hashtable<>(properties);
        call(configuration, "org.osgi.service.cm.Configuration", "update", new Class<?>[] {Dictionary.class}, dict);
    }

    /** Deletes configuration {@code pid}. */
    public void delete(String pid) {
        call(configuration(pid), "org.osgi.service.cm.Configuration", "delete", new Class<?>[0]);
    }

    private Object configuration(String pid) {
        ServiceReference<?> ref = awaitService("org.osgi.service.cm.ConfigurationAdmin", CONFIG_ADMIN_WAIT_MS);
        if (ref == null) {
            throw new IllegalStateException("no ConfigurationAdmin service within " + CONFIG_ADMIN_WAIT_MS + " ms; bundles: " + bundleStates());
        }
        Object admin = context().getService(ref);
        // location "?" lets any bundle (SCR on behalf of ours) use it; the default binds it to the caller
        return call(admin, ref, "org.osgi.service.cm.ConfigurationAdmin", "getConfiguration",
                new Class<?>[] {String.class, String.class}, pid, "?");
    }

    /** Every bundle with its state, for failure messages. */
    public String bundleStates() {
        StringBuilder b = new StringBuilder();
        for (Bundle bundle : context().getBundles()) {
            b.append(bundle.getSymbolicName()).append('=').append(bundle.getState()).append(' ');
        }
        return b.toString().trim();
    }

    /** The bundle with symbolic name {@code bsn}. */
    public Bundle bundle(String bsn) {
        for (Bundle b : context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new IllegalArgumentException("no bundle " + bsn);
    }

    /** The Cluster service's members as text, or empty when there is no Cluster service. */
    public Optional<Set<String>> members() {
        return cluster().map(c -> {
            Set<String> names = new TreeSet<>();
            for (Object n : (Collection<?>) invoke(c, "members")) {
                names.add(n.toString());
            }
            return names;
        });
    }

    /** The nodes the runtime's last refresh discovered, as text, or empty when there is no Cluster service. */
    public Optional<Set<String>> discovered() {
        return cluster().map(c -> {
            Set<String> names = new TreeSet<>();
            for (Object peer : (Collection<?>) invoke(c, "discovered")) {
                names.add(invoke(peer, "node").toString());
            }
            return names;
        });
    }

    /** Asks the transport to close its connection to {@code node} (name@host). */
    public void disconnect(String node) {
        ServiceReference<?> ref = context().getServiceReference("io.gencluster.spi.Dist");
        if (ref == null) {
            throw new IllegalStateException("no Dist service");
        }
        try {
            Class<?> nodeName = ref.getBundle().loadClass("io.gencluster.api.NodeName");
            Object name = nodeName.getMethod("parse", String.class).invoke(null, node);
            ref.getBundle().loadClass("io.gencluster.spi.Dist").getMethod("disconnect", nodeName)
                    .invoke(context().getService(ref), name);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot disconnect " + node, e);
        }
    }

    /**
     * Registers a mailbox whose messages go to {@code handler} (sender's node name as text,
     * payload). The handler implements the api's MessageHandler through a proxy, registered by the
     * api bundle itself so that every bundle sees the same interface.
     */
    public void mailbox(String name, java.util.function.BiConsumer<String, byte[]> handler) {
        mailbox(name, Map.of(), handler);
    }

    /** As {@link #mailbox(String, java.util.function.BiConsumer)}, with more service properties (e.g. the delivery). */
    public void mailbox(String name, Map<String, Object> properties, java.util.function.BiConsumer<String, byte[]> handler) {
        Bundle api = bundle("io.gencluster.api");
        try {
            Class<?> type = api.loadClass("io.gencluster.api.MessageHandler");
            Object proxy = java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
                if (m.getName().equals("message")) {
                    handler.accept(args[0].toString(), (byte[]) args[1]);
                    return null;
                }
                return m.getName().equals("toString") ? "mailbox " + name : m.getName().equals("hashCode") ? System.identityHashCode(p)
                        : m.getName().equals("equals") ? (Object) (p == args[0]) : null;
            });
            Dictionary<String, Object> props = new Hashtable<>(properties);
            props.put("gencluster.mailbox", name);
            api.getBundleContext().registerService(type.getName(), proxy, props);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot register mailbox " + name, e);
        }
    }

    /**
     * Registers a ClusterListener whose events go to {@code listener} as text ("node up a@h",
     * "node down a@h (REASON: detail)"), through a proxy registered by the api bundle, as for
     * {@link #mailbox}.
     */
    public void listen(java.util.function.Consumer<String> listener) {
        Bundle api = bundle("io.gencluster.api");
        try {
            Class<?> type = api.loadClass("io.gencluster.api.ClusterListener");
            Object proxy = java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
                if (m.getName().equals("clusterEvent")) {
                    listener.accept(args[0].toString());
                    return null;
                }
                return m.getName().equals("toString") ? "test listener" : m.getName().equals("hashCode") ? System.identityHashCode(p)
                        : m.getName().equals("equals") ? (Object) (p == args[0]) : null;
            });
            api.getBundleContext().registerService(type.getName(), proxy, new Hashtable<>());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot register a cluster listener", e);
        }
    }

    /** Sends through the Messenger service, waiting up to {@code maxWait} for room; false when it refused. */
    public boolean send(String node, String mailbox, byte[] payload, Duration maxWait) {
        return trySend(node, mailbox, payload, maxWait).isEmpty();
    }

    /** Sends through the Messenger service; empty when queued, else why not (the MessagingException's message). */
    public Optional<String> trySend(String node, String mailbox, byte[] payload, Duration maxWait) {
        // every Messenger, whatever its class space: it is called through the providing bundle's own
        // classes (getServiceReference's class-space check for the system bundle hid dist-erlang's
        // service, whose registration also names a type found on the test class path)
        ServiceReference<?>[] refs;
        try {
            refs = context().getAllServiceReferences("io.gencluster.api.Messenger", null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (refs == null) {
            return Optional.of("no Messenger service");
        }
        ServiceReference<?> ref = refs[0];
        try {
            Class<?> nodeName = ref.getBundle().loadClass("io.gencluster.api.NodeName");
            Object name = nodeName.getMethod("parse", String.class).invoke(null, node);
            ref.getBundle().loadClass("io.gencluster.api.Messenger")
                    .getMethod("send", nodeName, String.class, byte[].class, Duration.class)
                    .invoke(context().getService(ref), name, mailbox, payload, maxWait);
            return Optional.empty();
        } catch (InvocationTargetException e) {
            return Optional.of(String.valueOf(e.getCause().getMessage()));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot send to " + node, e);
        }
    }

    /** The Cluster service's view of every node, as text, for failure messages. */
    public String describe() {
        return cluster().map(c -> "members " + invoke(c, "members") + ", nodes " + invoke(c, "nodes")).orElse("no Cluster service");
    }

    /** The service id of the Cluster service, if there is one. */
    public Optional<Long> clusterServiceId() {
        return Optional.ofNullable(context().getServiceReference("io.gencluster.api.Cluster"))
                .map(r -> (Long) r.getProperty(Constants.SERVICE_ID));
    }

    /** The port the TCP transport listens on, once it is registered. */
    public Optional<Integer> distPort() {
        return Optional.ofNullable(context().getServiceReference("io.gencluster.spi.Dist"))
                .map(r -> (Integer) r.getProperty("gencluster.dist.port"));
    }

    /** Waits until the transport is registered, and returns its port. */
    public int awaitDistPort(Duration timeout) throws InterruptedException {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context(), "io.gencluster.spi.Dist", null);
        tracker.open();
        try {
            if (tracker.waitForService(timeout.toMillis()) == null) {
                throw new IllegalStateException("no Dist service within " + timeout);
            }
            return (Integer) tracker.getServiceReference().getProperty("gencluster.dist.port");
        } finally {
            tracker.close();
        }
    }

    /**
     * Felix ConfigAdmin registers its service from a thread of its own once its persistence manager
     * is there, so the bundle can be ACTIVE a moment before the service exists.
     */
    private ServiceReference<?> awaitService(String type, long timeoutMs) {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context(), type, null);
        tracker.open(true);
        try {
            tracker.waitForService(timeoutMs);
            return tracker.getServiceReference();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            tracker.close();
        }
    }

    private Optional<Object> cluster() {
        ServiceReference<?> ref = context().getServiceReference("io.gencluster.api.Cluster");
        return ref == null ? Optional.empty() : Optional.ofNullable(context().getService(ref));
    }

    private static Object invoke(Object target, String method) {
        try {
            Method m = target.getClass().getMethod(method);
            m.setAccessible(true);
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call " + method + " on " + target, e);
        }
    }

    private Object call(Object target, String iface, String method, Class<?>[] types, Object... args) {
        return call(target, null, iface, method, types, args);
    }

    private Object call(Object target, ServiceReference<?> ref, String iface, String method, Class<?>[] types, Object... args) {
        try {
            Class<?> type = ref != null ? ref.getBundle().loadClass(iface) : target.getClass().getClassLoader().loadClass(iface);
            return type.getMethod(method, types).invoke(target, args);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(method + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call " + iface + "." + method, e);
        }
    }

    /** Stops the framework (every bundle deactivated, so every socket closed) and waits for it. */
    @Override
    public void close() throws BundleException, InterruptedException {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(STOP_WAIT_MS);
        }
    }
}
