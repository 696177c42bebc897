package io.gencluster.runtime;

import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterControl;
import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.Dist;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The cluster component: exists only while ConfigAdmin holds configuration {@value #PID}; turns
 * that configuration into a {@link RefreshLoop}, feeds it the Discovery services bound at the
 * moment (dynamic, so strategies can be swapped without restarting anything), and publishes the
 * {@link Cluster} view and the operator's {@link ClusterControl}. A configuration change
 * re-creates the loop; connections are the transport's and survive it.
 */
@Component(
        configurationPid = ClusterComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = {})
@Designate(ocd = RuntimeConfig.class)
@Capability(namespace = "osgi.service",
        attribute = "objectClass:List<String>=\"io.gencluster.api.Cluster,io.gencluster.api.ClusterControl\"",
        uses = Cluster.class)
public final class ClusterComponent implements Cluster, ClusterControl {

    static final String PID = "io.gencluster";

    private static final System.Logger LOG = System.getLogger(ClusterComponent.class.getName());
    /** Discovery calls in parallel at most; a strategy stuck beyond its timeout holds one. */
    private static final int DISCOVERY_THREADS = 4;
    private static final int DISCOVERY_QUEUE = 64;
    private static final long STOP_WAIT_MS = 2_000;

    /** Default targets, as the metatype says: the services that declare a strategy / a transport. */
    static final String DISCOVERY_TARGET = "(" + Discovery.STRATEGY_PROPERTY + "=*)";
    static final String DIST_TARGET = "(" + Dist.TRANSPORT_PROPERTY + "=*)";

    /** The Discovery services bound now, by service id: replayed into each new loop. */
    private final Map<String, BoundDiscovery> discoveries = new ConcurrentSkipListMap<>();
    /** Orders binds and unbinds against the hand-over of the sources to a new loop. */
    private final Object sourcesLock = new Object();

    private record BoundDiscovery(String name, Discovery discovery) {
    }
    private final CopyOnWriteArrayList<EventDispatcher.Subscriber> listeners = new CopyOnWriteArrayList<>();

    private final Dist dist;
    private final BundleContext context;
    private ExecutorScheduler scheduler;
    private ThreadPoolExecutor discoveryCalls;
    private EventDispatcher dispatcher;
    private volatile RefreshLoop loop;
    private ServiceRegistration<?> registration;

    @Activate
    public ClusterComponent(@Reference(name = "dist", target = DIST_TARGET) Dist dist, BundleContext context) {
        this.dist = dist;
        this.context = context;
    }

    /** Called by DS after the constructor and after the dynamic references are bound. */
    @Activate
    void activate(RuntimeConfig config, Map<String, Object> properties) {
        scheduler = new ExecutorScheduler("gencluster-refresh");
        discoveryCalls = new ThreadPoolExecutor(DISCOVERY_THREADS, DISCOVERY_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(DISCOVERY_QUEUE), r -> {
                    Thread t = new Thread(r, "gencluster-discovery");
                    t.setDaemon(true);
                    return t;
                });
        discoveryCalls.allowCoreThreadTimeOut(true);
        synchronized (listeners) {
            dispatcher = new EventDispatcher(listeners);
        }
        apply(config, properties);
    }

    /**
     * A changed configuration replaces the loop (connections are the transport's and stay). A bad
     * one is logged and ignored: the cluster keeps running on the settings it had, or, when it had
     * none, waits for a valid configuration without anyone having to restart anything. That is
     * why the {@link Cluster} service is registered here rather than by DS: it exists exactly
     * while a valid configuration runs the loop.
     */
    @Modified
    void modified(RuntimeConfig config, Map<String, Object> properties) {
        apply(config, properties);
    }

    private synchronized void apply(RuntimeConfig config, Map<String, Object> properties) {
        RuntimeSettings settings;
        try {
            settings = RuntimeSettings.of(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "configuration {0} rejected: {1}; {2}", PID, e.getMessage(),
                    loop == null ? "the cluster stays inactive until the configuration is fixed" : "keeping the running settings");
            return;
        }
        Set<NodeName> announced = Set.of();
        if (loop != null) {
            loop.close();
            announced = loop.announced();
        }
        RefreshLoop next = new RefreshLoop(dist, settings, scheduler, discoveryCalls, new SecureRandom(),
                dispatcher::dispatch);
        synchronized (sourcesLock) {
            discoveries.forEach((key, d) -> next.addDiscovery(key, d.name(), d.discovery()));
            loop = next;
        }
        LOG.log(Level.INFO, "{0}: cluster of {1} running ({2})", PID, dist.self(), settings);
        next.start(announced);
        if (registration == null) {
            registration = context.registerService(
                    new String[] {Cluster.class.getName(), ClusterControl.class.getName()}, this, null);
        }
    }

    /**
     * Dynamic and greedy: a strategy bundle stopped, updated or replaced is picked up at the next
     * refresh, without restarting the loop or dropping connections.
     */
    @Reference(name = "discovery", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = DISCOVERY_TARGET)
    void bindDiscovery(Discovery discovery, Map<String, Object> properties) {
        String key = String.valueOf(properties.get(Constants.SERVICE_ID));
        BoundDiscovery d = new BoundDiscovery(
                properties.getOrDefault(Discovery.STRATEGY_PROPERTY, "?") + " (service " + key + ")", discovery);
        synchronized (sourcesLock) {
            discoveries.put(key, d);
            if (loop != null) {
                loop.addDiscovery(key, d.name(), discovery);
            }
        }
    }

    void updatedDiscovery(Discovery discovery, Map<String, Object> properties) {
        bindDiscovery(discovery, properties);
    }

    void unbindDiscovery(Discovery discovery, Map<String, Object> properties) {
        String key = String.valueOf(properties.get(Constants.SERVICE_ID));
        synchronized (sourcesLock) {
            discoveries.remove(key);
            if (loop != null) {
                loop.removeDiscovery(key);
            }
        }
    }

    @Reference(name = "listener", service = ClusterListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void bindListener(ClusterListener listener, Map<String, Object> properties) {
        EventDispatcher.Subscriber s = EventDispatcher.Subscriber.of(listener, properties.get(ClusterEvent.TYPES_PROPERTY));
        synchronized (listeners) {
            if (dispatcher == null) {
                listeners.add(s); // bound before activation: there from the first event on
            } else {
                dispatcher.subscribe(s); // it hears first who is up
            }
        }
    }

    /** New types for a bound listener: from now on, without hearing again who is up. */
    void updatedListener(ClusterListener listener, Map<String, Object> properties) {
        EventDispatcher.Subscriber s = EventDispatcher.Subscriber.of(listener, properties.get(ClusterEvent.TYPES_PROPERTY));
        synchronized (listeners) {
            if (dispatcher == null) {
                listeners.replaceAll(old -> old.listener() == listener ? s : old);
            } else {
                dispatcher.update(s);
            }
        }
    }

    void unbindListener(ClusterListener listener) {
        synchronized (listeners) {
            if (dispatcher == null) {
                listeners.removeIf(s -> s.listener() == listener);
            } else {
                dispatcher.unsubscribe(listener);
            }
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping and unregistered it already
            }
        }
        if (loop != null) {
            loop.close();
        }
        scheduler.close();
        discoveryCalls.shutdownNow();
        try {
            // a strategy blocked on the network ends within its own timeout; do not wait past ours
            if (!discoveryCalls.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.log(Level.WARNING, "a discovery call is still running after {0,number,#} ms; its thread ends when it returns",
                        STOP_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.close();
        LOG.log(Level.INFO, "{0}: cluster of {1} stopped", PID, dist.self());
    }

    @Override
    public NodeName self() {
        return dist.self();
    }

    @Override
    public Set<NodeName> members() {
        return dist.members();
    }

    @Override
    public Set<Peer> discovered() {
        return loop.snapshot().discovered();
    }

    @Override
    public Map<NodeName, NodeState> nodes() {
        return loop.snapshot().nodes();
    }

    @Override
    public CompletionStage<Void> refresh() {
        RefreshLoop l = loop;
        return l == null ? notRunning() : l.refresh();
    }

    @Override
    public CompletionStage<Void> connect(Peer peer) {
        RefreshLoop l = loop;
        return l == null ? notRunning() : l.connect(peer);
    }

    @Override
    public void disconnect(NodeName node) {
        RefreshLoop l = loop;
        if (l != null) {
            l.disconnect(node);
        }
    }

    private static CompletionStage<Void> notRunning() {
        return CompletableFuture.failedFuture(new IllegalStateException("the cluster loop is not running"));
    }

    @Override
    public String toString() {
        return "Cluster " + self() + " members " + members() + " nodes " + new TreeMap<>(nodes());
    }
}
