package io.gencluster.runtime;

import io.gencluster.api.ClusterControl;
import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.Dist;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The cluster loop: refreshes discovery, connects to what is new, reconnects what dropped and is
 * still discovered, and reports node up/down. Plain Java, usable without OSGi.
 *
 * <p>Threading: all state lives on the {@link Scheduler}'s one thread (actor style, no locks).
 * Other threads only enqueue work: the transport's event thread (node up/down), the discovery
 * executor (answers), {@link Dist#connect} completions, and callers of
 * {@link #addDiscovery}/{@link #removeDiscovery} (a concurrent map read at each refresh). Discovery
 * calls run on {@code discoveryExecutor}, in parallel and each bounded by the discovery timeout;
 * connects are asynchronous and each bounded by the connect timeout, so one dead peer or one slow
 * strategy never delays the others. Every task is guarded ({@link GuardedScheduler}): an exception
 * is logged and the loop goes on, its next refresh still scheduled.
 *
 * <p>It is also the operator's {@link ClusterControl}: a refresh, a connect or a disconnect asked
 * for from any thread is queued on the loop like everything else.
 */
public final class RefreshLoop implements ClusterControl, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RefreshLoop.class.getName());

    private record Bound(String name, Discovery discovery) {
    }

    private final Dist dist;
    private final RuntimeSettings settings;
    private final Scheduler loop;
    private final DiscoveryCalls calls;
    private final Consumer<ClusterEvent> events;
    private final ClusterListener distListener;
    private final Map<String, Bound> bound = new ConcurrentHashMap<>();

    // loop-thread state
    private final Map<String, DiscoverySource> sources = new LinkedHashMap<>();
    private final NodeTracker nodes;
    /** Up since their last down, as told to listeners; read by a successor loop once this one is closed. */
    private final Set<NodeName> reportedUp = ConcurrentHashMap.newKeySet();
    private Set<Peer> discovered = Set.of();
    private boolean refreshedOnce;
    private boolean warnedNoSource;
    private Scheduler.Timer nextRefresh;
    /** A round is asking the sources now; an operator's refresh joins it instead of starting another. */
    private boolean refreshing;
    /** More operators' refreshes than this waiting for one round is a runaway script: refused. */
    static final int MAX_REFRESH_WAITERS = 1_000;
    /** Operators' refreshes waiting for the round in progress (bounded in number, and in time by the discovery timeout). */
    private final List<CompletableFuture<Void>> refreshWaiters = new ArrayList<>();
    private boolean manualRound;

    private volatile boolean closed;
    private volatile ClusterSnapshot snapshot;

    /**
     * @param discoveryExecutor runs the (possibly blocking) discovery calls; should be small and bounded
     * @param random jitter of the reconnect backoff; tests pass one that repeats its sequence
     * @param events receives every node up/down and node discovered/lost, on the loop thread; must not block
     */
    public RefreshLoop(Dist dist, RuntimeSettings settings, Scheduler scheduler, Executor discoveryExecutor,
            Random random, Consumer<ClusterEvent> events) {
        this.dist = Objects.requireNonNull(dist, "dist");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.loop = new GuardedScheduler(Objects.requireNonNull(scheduler, "scheduler"));
        this.calls = new DiscoveryCalls(loop, Objects.requireNonNull(discoveryExecutor, "discoveryExecutor"),
                settings.discoveryTimeout());
        this.events = Objects.requireNonNull(events, "events");
        this.nodes = new NodeTracker(dist, settings, loop, Objects.requireNonNull(random, "random"), this::publish,
                this::forward);
        this.distListener = e -> loop.execute(() -> onDistEvent(e));
        this.snapshot = new ClusterSnapshot(Set.of(), Map.of());
    }

    /**
     * Adds (or replaces) the discovery source {@code key}; asked from the next refresh on. Any thread.
     *
     * @param name how logs call the source, such as {@code static (service 12)}
     */
    public void addDiscovery(String key, String name, Discovery discovery) {
        bound.put(Objects.requireNonNull(key, "key"), new Bound(Objects.requireNonNull(name, "name"),
                Objects.requireNonNull(discovery, "discovery")));
    }

    /** Removes the discovery source {@code key}: from the next refresh on its peers no longer count. Any thread. */
    public void removeDiscovery(String key) {
        bound.remove(key);
    }

    /** Starts listening to the transport and runs the first refresh at once. */
    public void start() {
        start(Set.of());
    }

    /**
     * Starts as the successor of a loop whose listeners were told {@code announced} are up (a
     * changed configuration replaces the loop; the connections stay): those still connected are
     * not announced again, those that went down in between are reported down. Listeners see up and
     * down strictly alternate per node across the replacement.
     */
    public void start(Set<NodeName> announced) {
        dist.addListener(distListener);
        loop.execute(() -> {
            // nodes that connected before this loop listened (a peer's runtime dialled us first): the
            // transport tells a new listener nothing of them, so they are reported up here, like any other
            try {
                Set<NodeName> members = dist.members();
                for (NodeName gone : announced) {
                    if (!members.contains(gone)) {
                        onDistEvent(ClusterEvent.nodeDown(gone, DownReason.CONNECTION_CLOSED,
                                "went down while the configuration was being replaced", loop.now()));
                    }
                }
                for (NodeName member : members) {
                    if (announced.contains(member)) {
                        reportedUp.add(member); // its listeners know it is up: tracked, not announced again
                        nodes.nodeUp(member);
                    } else {
                        onDistEvent(ClusterEvent.nodeUp(member, loop.now()));
                    }
                }
                publish();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "reading the transport's members at start failed; they are reported as they next change", e);
            }
            refresh0();
        });
    }

    /** The nodes this loop told its listeners are up (and not since down): for its successor. Any thread. */
    public Set<NodeName> announced() {
        return Set.copyOf(reportedUp);
    }

    /**
     * Stops refreshing and reconnecting; returns without waiting (the threads are the scheduler's
     * and the executor's, closed by their owner). Connections stay: the transport owns them.
     */
    @Override
    public void close() {
        closed = true;
        dist.removeListener(distListener);
        loop.execute(() -> {
            if (nextRefresh != null) {
                nextRefresh.cancel();
            }
            nodes.close();
            failWaiters();
        });
    }

    private void failWaiters() {
        refreshWaiters.forEach(f -> f.completeExceptionally(new CancellationException("the cluster loop stopped")));
        refreshWaiters.clear();
    }

    // ---------------------------------------------------------------- operator control

    @Override
    public CompletionStage<Void> refresh() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(done, () -> {
            if (refreshWaiters.size() >= MAX_REFRESH_WAITERS) {
                done.completeExceptionally(new IllegalStateException(
                        MAX_REFRESH_WAITERS + " refreshes are already waiting for the one in progress"));
                return;
            }
            refreshWaiters.add(done);
            manualRound = true;
            if (!refreshing) {
                if (nextRefresh != null) {
                    nextRefresh.cancel(); // this round schedules the next one, as every round does
                }
                refresh0();
            }
        });
        return done;
    }

    @Override
    public CompletionStage<Void> connect(Peer peer) {
        Objects.requireNonNull(peer, "peer");
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(done, () -> {
            nodes.connectNow(peer).whenComplete((ok, err) -> {
                if (err == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(err);
                }
            });
            // the transport promises an answer within the timeout; hold the caller to the loop's bound
            Duration bound = settings.connectTimeout().plus(NodeTracker.CONNECT_GRACE);
            Scheduler.Timer guard = loop.schedule(() -> done.completeExceptionally(new IllegalStateException(
                    "the transport did not answer within " + bound.toMillis() + " ms")), bound);
            done.whenComplete((ok, err) -> loop.execute(guard::cancel));
        });
        return done;
    }

    @Override
    public void disconnect(NodeName node) {
        Objects.requireNonNull(node, "node");
        LOG.log(Level.INFO, "disconnecting {0}: asked by an operator", node);
        dist.disconnect(node);
    }

    /** Runs {@code task} on the loop; {@code result} fails instead when the loop is closed or the task throws. */
    private void execute(CompletableFuture<Void> result, Runnable task) {
        if (closed) {
            result.completeExceptionally(new IllegalStateException("the cluster loop is stopped"));
            return;
        }
        loop.execute(() -> {
            if (closed) {
                result.completeExceptionally(new IllegalStateException("the cluster loop is stopped"));
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                throw e;
            }
        });
    }

    /** What this loop knows, as of its last change; immutable, safe from any thread. */
    public ClusterSnapshot snapshot() {
        return snapshot;
    }

    // ---------------------------------------------------------------- refresh

    private void refresh0() {
        if (closed) {
            return;
        }
        refreshing = true;
        DiscoveryRound round = null;
        try {
            syncSources();
            round = new DiscoveryRound(sources.keySet());
            if (sources.isEmpty()) {
                finishRound(round);
                return;
            }
            for (DiscoverySource source : Set.copyOf(sources.values())) {
                ask(source, round);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.ERROR, "refresh failed; the next one is scheduled", e);
            finishRound(round != null ? round : new DiscoveryRound(Set.of()));
        }
    }

    /** Brings the loop's sources in line with those bound now. */
    private void syncSources() {
        Map<String, Bound> now = Map.copyOf(bound);
        sources.values().removeIf(s -> {
            if (!now.containsKey(s.key)) {
                LOG.log(Level.INFO, "discovery {0} is gone; its {1} peer(s) no longer count", s.name, s.lastPeers.size());
                return true;
            }
            return false;
        });
        now.forEach((key, b) -> sources.computeIfAbsent(key, k -> new DiscoverySource(k, b.name(), b.discovery()))
                .discovery = b.discovery());
        if (now.isEmpty() && !warnedNoSource) {
            LOG.log(Level.WARNING, "no discovery service is bound; keeping the {0} peer(s) known so far", discovered.size());
            warnedNoSource = true;
        } else if (!now.isEmpty() && warnedNoSource) {
            LOG.log(Level.INFO, "discovery services bound again: {0}", sources.size());
            warnedNoSource = false;
        }
    }

    private void ask(DiscoverySource source, DiscoveryRound round) {
        calls.ask(source, () -> answered(source, round));
    }

    private void answered(DiscoverySource source, DiscoveryRound round) {
        if (round.answered(source.key)) {
            finishRound(round);
        }
    }

    private void finishRound(DiscoveryRound round) {
        if (closed || !round.finish()) {
            return;
        }
        try {
            // with no source at all there is no news: keep what was discovered (a failure is not emptiness)
            if (!sources.isEmpty() || !refreshedOnce) {
                discovered = nodes.apply(sources.values(), !refreshedOnce,
                        !refreshedOnce || manualRound || settings.refreshInterval().isPresent());
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.ERROR, "applying the discovered peers failed; the next refresh is scheduled", e);
        } finally {
            refreshedOnce = true;
            refreshing = false;
            manualRound = false;
            settings.refreshInterval().ifPresent(interval -> nextRefresh = loop.schedule(this::refresh0, interval));
            publish();
            refreshWaiters.forEach(f -> f.complete(null));
            refreshWaiters.clear();
        }
    }

    private void onDistEvent(ClusterEvent e) {
        if (closed) {
            return;
        }
        if (e.type() == ClusterEvent.Type.NODE_UP) {
            if (!reportedUp.add(e.node())) {
                return; // the same connection, already reported when this loop started
            }
            LOG.log(Level.INFO, "node up {0}", e.node());
            nodes.nodeUp(e.node());
        } else {
            reportedUp.remove(e.node());
            LOG.log(Level.INFO, "node down {0} ({1}{2})", e.node(), e.reason().map(Enum::name).orElse("?"),
                    e.detail().isEmpty() ? "" : ": " + e.detail());
            nodes.nodeDown(e);
        }
        publish();
        forward(e);
    }

    private void forward(ClusterEvent e) {
        try {
            events.accept(e);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "forwarding " + e + " failed", ex);
        }
    }

    /** A new snapshot when anything in it changed; a refresh that changed nothing keeps the one readers have. */
    private void publish() {
        ClusterSnapshot last = snapshot;
        Map<NodeName, NodeState> states = nodes.states(last.nodes());
        if (states != last.nodes() || !discovered.equals(last.discovered())) {
            snapshot = new ClusterSnapshot(discovered, states);
        }
    }
}
