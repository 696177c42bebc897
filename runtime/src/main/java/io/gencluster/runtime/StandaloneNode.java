package io.gencluster.runtime;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceConsumer;
import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterControl;
import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryProvider;
import io.gencluster.spi.Dist;
import io.gencluster.spi.DistProvider;
import java.io.IOException;
import java.io.Reader;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node without any OSGi framework, configured by the same {@code .cfg} files as in OSGi (one
 * directory, one file per PID): the transport and strategies are found through
 * {@link ServiceLoader} as {@link DistProvider} and {@link DiscoveryProvider}, on the module path
 * or the class path.
 *
 * <pre>
 * java --module-path mods -m io.gencluster.runtime/io.gencluster.runtime.StandaloneNode etc/
 * </pre>
 *
 * <p>Exactly one transport's file must be there ({@code io.gencluster.dist.tcp.cfg}); each
 * strategy whose file is there is used; {@code io.gencluster.cfg} is optional (defaults). A value
 * that does not fit is refused naming the file's PID, the key and the value, and nothing starts.
 */
// effective "active": the module-info gets its 'uses' (so the module path binds the providers), while
// OSGi frameworks, which resolve only 'resolve' requirements, never wire the runtime bundle to a
// strategy bundle (uninstalling a strategy would otherwise refresh the runtime: no hot swap)
@ServiceConsumer(value = DistProvider.class, resolution = Resolution.OPTIONAL, effective = "active")
@ServiceConsumer(value = DiscoveryProvider.class, resolution = Resolution.OPTIONAL, effective = "active")
public final class StandaloneNode implements Cluster, ClusterControl, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StandaloneNode.class.getName());
    private static final int DISCOVERY_THREADS = 4;
    private static final int DISCOVERY_QUEUE = 64;

    @SuppressWarnings("rawtypes")
    private final DistProvider distProvider;
    private final Dist dist;
    private final ExecutorScheduler scheduler;
    private final ThreadPoolExecutor discoveryCalls;
    private final RefreshLoop loop;

    @SuppressWarnings("rawtypes")
    private StandaloneNode(DistProvider distProvider, Dist dist, RuntimeSettings settings, Consumer<ClusterEvent> events) {
        this.distProvider = distProvider;
        this.dist = dist;
        this.scheduler = new ExecutorScheduler("gencluster-refresh");
        this.discoveryCalls = new ThreadPoolExecutor(DISCOVERY_THREADS, DISCOVERY_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(DISCOVERY_QUEUE), r -> {
                    Thread t = new Thread(r, "gencluster-discovery");
                    t.setDaemon(true);
                    return t;
                });
        discoveryCalls.allowCoreThreadTimeOut(true);
        this.loop = new RefreshLoop(dist, settings, scheduler, discoveryCalls, new SecureRandom(), events);
    }

    /**
     * Starts a node from the {@code .cfg} files in {@code configDirectory}.
     *
     * @param events every node up/down/discovered/lost, on the loop thread; must not block
     * @throws IllegalArgumentException naming the PID, key and value of a bad setting, or the missing file
     * @throws IOException when a file cannot be read or the transport cannot listen
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static StandaloneNode start(Path configDirectory, Consumer<ClusterEvent> events) throws IOException {
        Map<String, Map<String, String>> files = read(configDirectory);
        List<DistProvider> transports = new ArrayList<>();
        Set<String> known = new TreeSet<>(Set.of(ClusterComponent.PID));
        for (DistProvider p : ServiceLoader.load(DistProvider.class, StandaloneNode.class.getClassLoader())) {
            known.add(p.pid());
            if (files.containsKey(p.pid())) {
                transports.add(p);
            }
        }
        List<DiscoveryProvider> strategies = new ArrayList<>();
        for (DiscoveryProvider p : ServiceLoader.load(DiscoveryProvider.class, StandaloneNode.class.getClassLoader())) {
            known.add(p.pid());
            if (files.containsKey(p.pid())) {
                strategies.add(p);
            }
        }
        files.keySet().stream().filter(pid -> !known.contains(pid)).forEach(pid -> LOG.log(Level.WARNING,
                "{0}.cfg: no transport or strategy of that PID is on the module path; ignored (known: {1})", pid, known));
        if (transports.size() != 1) {
            throw new IllegalArgumentException("exactly one transport configuration is needed in " + configDirectory
                    + ", found " + transports.stream().map(DistProvider::pid).toList() + " (known transports: "
                    + known + ")");
        }
        Map<String, String> runtimeProps = files.getOrDefault(ClusterComponent.PID, Map.of());
        RuntimeSettings settings = RuntimeSettings.of(typed(RuntimeConfig.class, ClusterComponent.PID, runtimeProps),
                runtimeProps);
        // every strategy's configuration is checked before anything listens
        List<Object> strategyConfigs = new ArrayList<>();
        for (DiscoveryProvider p : strategies) {
            strategyConfigs.add(typed(p.configurationType(), p.pid(), files.get(p.pid())));
        }
        DistProvider transport = transports.get(0);
        Dist dist = transport.start(typed(transport.configurationType(), transport.pid(), files.get(transport.pid())));
        StandaloneNode node = new StandaloneNode(transport, dist, settings, events);
        try {
            for (int i = 0; i < strategies.size(); i++) {
                DiscoveryProvider p = strategies.get(i);
                Discovery d = p.create(strategyConfigs.get(i), dist.self());
                node.loop.addDiscovery(p.pid(), p.strategy() + " (" + p.pid() + ")", d);
            }
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        LOG.log(Level.INFO, "node {0} running ({1}; discovery: {2})", dist.self(), settings,
                strategies.stream().map(DiscoveryProvider::strategy).toList());
        node.loop.start();
        return node;
    }

    private static <T> T typed(Class<T> type, String pid, Map<String, String> properties) {
        for (String typo : UnknownKeys.describe(pid, PropertyTypes.knownKeys(type), properties.keySet())) {
            LOG.log(Level.WARNING, typo);
        }
        return PropertyTypes.of(type, pid, properties);
    }

    /** PID (file name without {@code .cfg}) to its properties. */
    private static Map<String, Map<String, String>> read(Path dir) throws IOException {
        Map<String, Map<String, String>> files = new TreeMap<>();
        try (DirectoryStream<Path> cfgs = Files.newDirectoryStream(dir, "*.cfg")) {
            for (Path f : cfgs) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                Map<String, String> props = new TreeMap<>();
                p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
                String name = f.getFileName().toString();
                files.put(name.substring(0, name.length() - ".cfg".length()), props);
            }
        }
        return files;
    }

    /**
     * Runs a node until the process is stopped (SIGTERM, Ctrl-C: the node closes its connections
     * on the way out). Prints every event and, after each node up or down, the members, on stdout.
     * Exit status 2: a configuration error, printed on stderr.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: StandaloneNode CONFIG_DIRECTORY   (holding io.gencluster.dist.tcp.cfg, a discovery"
                    + " .cfg file, and optionally io.gencluster.cfg)");
            System.exit(2);
        }
        // kept from the events themselves, which arrive in order on one thread, from the first one on
        Set<NodeName> members = new TreeSet<>();
        StandaloneNode node = null;
        try {
            node = start(Path.of(args[0]), e -> {
                System.out.println(e);
                if (e.type() == ClusterEvent.Type.NODE_UP || e.type() == ClusterEvent.Type.NODE_DOWN) {
                    if (e.type() == ClusterEvent.Type.NODE_UP) {
                        members.add(e.node());
                    } else {
                        members.remove(e.node());
                    }
                    System.out.println("members " + members);
                }
            });
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("ERROR " + e.getMessage());
            System.exit(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(node::close, "gencluster-shutdown"));
        System.out.println("started " + node.self());
        new CountDownLatch(1).await(); // until the process is stopped
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
        return loop.refresh();
    }

    @Override
    public CompletionStage<Void> connect(Peer peer) {
        return loop.connect(peer);
    }

    @Override
    public void disconnect(NodeName node) {
        loop.disconnect(node);
    }

    /** The transport, for sending messages when it is also a {@code Messenger} (dist-tcp is). */
    public Dist dist() {
        return dist;
    }

    /** Stops the loop, its threads and the transport (every connection closed). */
    @SuppressWarnings("unchecked")
    @Override
    public void close() {
        loop.close();
        scheduler.close();
        discoveryCalls.shutdownNow();
        distProvider.stop(dist);
    }
}
