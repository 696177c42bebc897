package io.gencluster.runtime;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.Discovery;
import io.gencluster.api.DiscoveryException;
import io.gencluster.api.Dist;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.NodeState.Status;
import io.gencluster.api.Peer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The cluster loop: refreshes discovery, connects to what is new, reconnects what dropped and is
 * still discovered, and reports node up/down. Plain Java, usable without OSGi.
 *
 * <p>All state lives on the {@link Scheduler}'s one thread. Discovery calls run on
 * {@code discoveryExecutor}, in parallel and each bounded by the discovery timeout; connects are
 * asynchronous ({@link Dist#connect}) and each bounded by the connect timeout, so one dead peer or
 * one slow strategy never delays the others (the seed connects one peer at a time, unbounded).
 * Errors inside a refresh are logged and the next refresh is still scheduled (in the seed one stray
 * message cancels the refresh timer for good).
 */
public final class RefreshLoop implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RefreshLoop.class.getName());
    /** Extra time given to a Dist beyond the connect timeout before the loop gives up on it. */
    private static final Duration CONNECT_GRACE = Duration.ofSeconds(1);

    private final Dist dist;
    private final NodeName self;
    private final Supplier<Map<String, Discovery>> sources;
    private final RuntimeSettings settings;
    private final Scheduler scheduler;
    private final Executor discoveryExecutor;
    private final Backoff backoff;
    private final Consumer<ClusterEvent> events;
    private final ClusterListener distListener = e -> executeOnLoop(() -> onDistEvent(e));

    // loop-thread state
    private final Map<String, SourceState> sourceStates = new HashMap<>();
    private final Map<NodeName, TrackedNode> nodes = new HashMap<>();
    private Set<Peer> discovered = Set.of();
    private boolean refreshedOnce;
    private boolean warnedNoSource;
    private Scheduler.Timer nextRefresh;

    private volatile boolean closed;
    private volatile ClusterSnapshot snapshot;

    /**
     * @param sources the discovery services to ask at each refresh, by a key that names them in
     *     logs; read anew at every refresh, so services may come and go at any time
     * @param events receives every node up/down, on the loop thread; must not block
     */
    public RefreshLoop(Dist dist, Supplier<Map<String, Discovery>> sources, RuntimeSettings settings,
            Scheduler scheduler, Executor discoveryExecutor, Random random, Consumer<ClusterEvent> events) {
        this.dist = dist;
        this.self = dist.self();
        this.sources = sources;
        this.settings = settings;
        this.scheduler = scheduler;
        this.discoveryExecutor = discoveryExecutor;
        this.backoff = new Backoff(settings.backoffInitial(), settings.backoffMax(), random);
        this.events = events;
        this.snapshot = new ClusterSnapshot(self, Set.of(), Map.of());
    }

    /** Starts listening to the transport and runs the first refresh at once. */
    public void start() {
        dist.addListener(distListener);
        executeOnLoop(this::refresh);
    }

    /**
     * Stops refreshing and reconnecting. Connections stay as they are: the transport owns them.
     */
    @Override
    public void close() {
        closed = true;
        dist.removeListener(distListener);
        executeOnLoop(() -> {
            if (nextRefresh != null) {
                nextRefresh.cancel();
            }
            for (TrackedNode t : nodes.values()) {
                t.cancelRetry();
            }
        });
    }

    /** A consistent view of the cluster as this loop sees it; safe from any thread. */
    public ClusterSnapshot snapshot() {
        return snapshot;
    }

    /** The transport's members now. */
    public Set<NodeName> members() {
        return dist.members();
    }

    private void executeOnLoop(Runnable task) {
        scheduler.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "cluster loop task failed; the loop goes on", e);
            }
        });
    }

    // ---------------------------------------------------------------- refresh

    private void refresh() {
        if (closed) {
            return;
        }
        Map<String, Discovery> current = sources.get();
        sourceStates.keySet().retainAll(current.keySet());
        if (current.isEmpty()) {
            if (!warnedNoSource) {
                LOG.log(Level.WARNING, "no discovery service is bound; keeping the {0} peer(s) known so far", discovered.size());
                warnedNoSource = true;
            }
            finishRefresh();
            return;
        }
        if (warnedNoSource) {
            LOG.log(Level.INFO, "discovery services bound: {0}", current.keySet());
            warnedNoSource = false;
        }
        Set<String> waiting = new HashSet<>(current.keySet());
        for (Map.Entry<String, Discovery> e : current.entrySet()) {
            ask(e.getKey(), e.getValue(), waiting);
        }
    }

    private void ask(String key, Discovery discovery, Set<String> waiting) {
        SourceState state = sourceStates.computeIfAbsent(key, SourceState::new);
        if (state.inFlight) {
            // a call from an earlier refresh has not returned: do not pile up another one
            state.failed("its previous answer is still pending");
            answered(key, waiting);
            return;
        }
        state.inFlight = true;
        Scheduler.Timer timeout = scheduler.schedule(() -> {
            state.failed("no answer within " + settings.discoveryTimeout().toMillis() + " ms");
            answered(key, waiting);
        }, settings.discoveryTimeout());
        try {
            discoveryExecutor.execute(() -> {
                Set<Peer> peers = null;
                String error = null;
                try {
                    peers = discovery.peers();
                    if (peers == null) {
                        error = "returned null instead of a set of peers";
                    }
                } catch (DiscoveryException e) {
                    error = e.getMessage();
                } catch (RuntimeException | Error e) {
                    error = e.toString();
                }
                Set<Peer> found = peers == null ? null : Set.copyOf(peers);
                String why = error;
                executeOnLoop(() -> {
                    state.inFlight = false;
                    timeout.cancel();
                    if (found != null) {
                        state.succeeded(found);
                    } else {
                        state.failed(why);
                    }
                    answered(key, waiting);
                });
            });
        } catch (RejectedExecutionException e) {
            state.inFlight = false;
            timeout.cancel();
            state.failed("too many discovery calls in progress");
            answered(key, waiting);
        }
    }

    private void answered(String key, Set<String> waiting) {
        if (waiting.remove(key) && waiting.isEmpty()) {
            finishRefresh();
        }
    }

    private void finishRefresh() {
        if (closed) {
            return;
        }
        try {
            Set<Peer> union = new LinkedHashSet<>();
            for (SourceState s : sourceStates.values()) {
                union.addAll(s.lastPeers);
            }
            if (!sourceStates.isEmpty() || !refreshedOnce) {
                apply(union);
            }
            refreshedOnce = true;
        } finally {
            settings.refreshInterval().ifPresent(interval -> nextRefresh = scheduler.schedule(() -> {
                try {
                    refresh();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "refresh failed; the next one is scheduled", e);
                    finishRefresh();
                }
            }, interval));
            publish();
        }
    }

    /** Brings node states in line with the peers discovered now. */
    private void apply(Set<Peer> peers) {
        Map<NodeName, Peer> byNode = new LinkedHashMap<>();
        for (Peer p : peers) {
            if (!p.node().equals(self)) {
                // a peer with a known port says more than the same node without one
                byNode.merge(p.node(), p, (a, b) -> a.port().isPresent() ? a : b);
            }
        }
        discovered = Set.copyOf(byNode.values());
        Set<NodeName> members = dist.members();

        for (TrackedNode t : nodes.values()) {
            if (t.discovered && !byNode.containsKey(t.node)) {
                t.discovered = false;
                t.cancelRetry();
                if (t.status == Status.BACKING_OFF) {
                    t.status = Status.DISCONNECTED;
                }
                if (members.contains(t.node) && settings.removedNodes() == RemovedNodes.DISCONNECT) {
                    LOG.log(Level.INFO, "disconnecting {0}: no longer discovered (removed.nodes=disconnect)", t.node);
                    dist.disconnect(t.node);
                }
            }
        }
        boolean firstRound = !refreshedOnce;
        for (Peer peer : byNode.values()) {
            TrackedNode t = nodes.computeIfAbsent(peer.node(), TrackedNode::new);
            t.peer = peer;
            t.discovered = true;
            if (members.contains(t.node)) {
                t.connected();
            } else if (t.status == Status.DISCONNECTED || (t.status == Status.CONNECTED && !firstRound)) {
                if (firstRound || settings.refreshInterval().isPresent()) {
                    connect(t);
                }
            }
        }
        nodes.values().removeIf(t -> !t.discovered && t.status == Status.DISCONNECTED && !members.contains(t.node));
    }

    // ---------------------------------------------------------------- connecting

    private void connect(TrackedNode t) {
        t.cancelRetry();
        t.status = Status.CONNECTING;
        t.nextAttempt = null;
        long attempt = ++t.attempt;
        NodeName node = t.node;
        CompletionStage<Void> stage;
        try {
            stage = dist.connect(t.peer, settings.connectTimeout());
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        Scheduler.Timer guard = scheduler.schedule(
                () -> connectResult(node, attempt, "the transport did not answer within "
                        + settings.connectTimeout().plus(CONNECT_GRACE).toMillis() + " ms"),
                settings.connectTimeout().plus(CONNECT_GRACE));
        stage.whenComplete((ok, err) -> executeOnLoop(() -> {
            guard.cancel();
            connectResult(node, attempt, err == null ? null : describe(err));
        }));
    }

    private void connectResult(NodeName node, long attempt, String error) {
        TrackedNode t = nodes.get(node);
        if (t == null || t.attempt != attempt || t.status != Status.CONNECTING) {
            return; // superseded, or already settled by a node up/down event
        }
        if (error == null) {
            t.connected();
        } else {
            failed(t, error, true);
        }
        publish();
    }

    /** Records a failed attempt or a drop; retries on the node's backoff if it is still wanted. */
    private void failed(TrackedNode t, String error, boolean log) {
        boolean sameAsBefore = error.equals(t.lastError);
        t.failures++;
        t.lastError = error;
        if (!closed && t.discovered && settings.refreshInterval().isPresent()) {
            Duration delay = backoff.delay(t.failures);
            t.status = Status.BACKING_OFF;
            t.nextAttempt = scheduler.now().plus(delay);
            NodeName node = t.node;
            t.retry = scheduler.schedule(() -> executeOnLoop(() -> retry(node)), delay);
            if (log) {
                LOG.log(sameAsBefore ? Level.DEBUG : Level.WARNING, "cannot connect to {0}: {1}; attempt {2}, next in {3} ms",
                        t.node, error, t.failures, delay.toMillis());
            }
        } else {
            t.status = Status.DISCONNECTED;
            t.nextAttempt = null;
            if (log) {
                LOG.log(Level.WARNING, "cannot connect to {0}: {1}; not retrying ({2})", t.node, error,
                        t.discovered ? "refresh.interval.ms=infinity" : "no longer discovered");
            }
        }
    }

    private void retry(NodeName node) {
        TrackedNode t = nodes.get(node);
        if (closed || t == null || t.status != Status.BACKING_OFF || !t.discovered) {
            return;
        }
        if (dist.members().contains(node)) {
            t.connected();
        } else {
            connect(t);
        }
        publish();
    }

    private void onDistEvent(ClusterEvent e) {
        if (closed) {
            return;
        }
        NodeName node = e.node();
        if (e.type() == ClusterEvent.Type.NODE_UP) {
            LOG.log(Level.INFO, "node up {0}", node);
            nodes.computeIfAbsent(node, TrackedNode::new).connected();
        } else {
            LOG.log(Level.INFO, "node down {0} ({1}{2})", node, e.reason().map(Enum::name).orElse("?"),
                    e.detail().isEmpty() ? "" : ": " + e.detail());
            TrackedNode t = nodes.get(node);
            if (t != null && t.status != Status.CONNECTING) {
                String why = "down: " + e.reason().map(Enum::name).orElse("?") + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
                t.cancelRetry();
                failed(t, why, false);
                if (!t.discovered) {
                    nodes.remove(node);
                }
            }
        }
        events.accept(e);
        publish();
    }

    private static String describe(Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    private void publish() {
        Map<NodeName, NodeState> states = new HashMap<>();
        for (TrackedNode t : nodes.values()) {
            states.put(t.node, t.state());
        }
        snapshot = new ClusterSnapshot(self, discovered, states);
    }

    // ---------------------------------------------------------------- state holders

    /** What the loop knows of one discovery source. */
    private static final class SourceState {
        final String key;
        Set<Peer> lastPeers = Set.of();
        boolean inFlight;
        String failing; // null = healthy

        SourceState(String key) {
            this.key = key;
        }

        void succeeded(Set<Peer> peers) {
            if (failing != null) {
                LOG.log(Level.INFO, "discovery {0} recovered: {1} peer(s)", key, peers.size());
                failing = null;
            }
            lastPeers = peers;
        }

        void failed(String why) {
            if (failing == null) {
                // a failure is not an empty answer: the cluster does not forget this source's nodes
                LOG.log(Level.WARNING, "discovery {0} failing: {1}; keeping its {2} last known peer(s)", key, why, lastPeers.size());
            }
            failing = why;
        }
    }

    /** What the loop knows of one node. */
    private static final class TrackedNode {
        final NodeName node;
        Peer peer;
        boolean discovered;
        Status status = Status.DISCONNECTED;
        int failures;
        java.time.Instant nextAttempt;
        String lastError;
        Scheduler.Timer retry;
        long attempt;

        TrackedNode(NodeName node) {
            this.node = node;
            this.peer = Peer.of(node);
        }

        void connected() {
            cancelRetry();
            status = Status.CONNECTED;
            failures = 0;
            nextAttempt = null;
        }

        void cancelRetry() {
            if (retry != null) {
                retry.cancel();
                retry = null;
            }
        }

        NodeState state() {
            return new NodeState(status, discovered, failures, nextAttempt, lastError);
        }
    }
}
