package io.gencluster.runtime;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState.Status;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import io.gencluster.spi.Dist;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Per-node connection state: who is dialled, who backs off until when, who is left alone. Lives on
 * the loop thread; every method is called there.
 *
 * <p>Each failed attempt, and each drop of a discovered node, schedules a retry on the node's own
 * timer after {@link Backoff#delay}: a node that drops and comes back is reconnected within about
 * its backoff, not only at the next refresh, and a node that stays away is tried less and less
 * often. A connection that had lived at least the initial backoff is redialled at once when it
 * drops ({@link Backoff#prompt}).
 *
 * <p>A peer that discovery says speaks another transport than this node's ({@link Peer#transport()}
 * against {@link Dist#transport()}) is never dialled: it is logged once, and its state says why.
 */
final class NodeTracker {

    private static final System.Logger LOG = System.getLogger(RefreshLoop.class.getName());
    /** Extra time given to a Dist beyond the connect timeout before the loop gives up on it. */
    static final Duration CONNECT_GRACE = Duration.ofSeconds(1);

    private final Dist dist;
    private final NodeName self;
    private final RuntimeSettings settings;
    private final Scheduler loop;
    private final Backoff backoff;
    private final Runnable changed;
    private final Consumer<ClusterEvent> discoveryEvents;
    private final DialLog log;
    /** This node's transport, or empty when the Dist does not say: then every peer is dialled. */
    private final Optional<String> transport;
    private final AbsentNodes absent;
    private final Map<NodeName, TrackedNode> nodes = new HashMap<>();
    private boolean closed;

    /**
     * @param changed called after a change made outside {@link #apply} and the event methods
     * @param discoveryEvents receives node discovered / node lost, on the loop thread
     */
    NodeTracker(Dist dist, RuntimeSettings settings, Scheduler loop, Random random, Runnable changed,
            Consumer<ClusterEvent> discoveryEvents) {
        this.dist = dist;
        this.self = dist.self();
        this.settings = settings;
        this.loop = loop;
        this.backoff = new Backoff(settings.backoffInitial(), retryCap(settings), random);
        this.changed = changed;
        this.discoveryEvents = discoveryEvents;
        this.log = new DialLog(loop, () -> (int) nodes.values().stream().filter(t -> t.discovered).count());
        this.transport = dist.transport();
        this.absent = new AbsentNodes(dist, settings, loop);
    }

    /**
     * Brings node states in line with the peers discovered now.
     *
     * @param sources the discovery sources, whose last answers count, in their order
     * @param connectNew whether nodes not connected are dialled: on the first round, on every
     *     round while refreshes repeat, and on a refresh an operator asked for
     * @return the discovered peers that count: self removed, one per node
     */
    Set<Peer> apply(Collection<DiscoverySource> sources, boolean firstRound, boolean connectNew) {
        Map<NodeName, Peer> byNode = new LinkedHashMap<>(); // one peer per node, over all answers
        for (DiscoverySource source : sources) {
            for (Peer p : source.lastPeers) {
                if (!p.node().equals(self)) {
                    // a peer with a known port says more than the same node without one
                    byNode.merge(p.node(), p, (a, b) -> a.port().isPresent() ? a : b);
                }
            }
        }
        Set<NodeName> members = dist.members();
        List<NodeName> lost = new ArrayList<>();
        for (TrackedNode t : nodes.values()) {
            if (t.discovered && !byNode.containsKey(t.node)) {
                forget(t);
                lost.add(t.node);
            }
            if (!t.discovered && !byNode.containsKey(t.node)) {
                absent.notDiscovered(t, members.contains(t.node));
            }
        }
        if (!lost.isEmpty()) {
            log.lost(lost, lost.stream().filter(members::contains).toList());
        }
        List<Peer> found = new ArrayList<>();
        Map<String, List<Peer>> foreign = new LinkedHashMap<>();
        for (Peer peer : byNode.values()) {
            TrackedNode t = nodes.computeIfAbsent(peer.node(), TrackedNode::new);
            t.peer = peer;
            if (!t.discovered) {
                found.add(peer);
                discoveryEvents.accept(ClusterEvent.nodeDiscovered(peer, loop.now()));
            }
            t.discovered = true;
            t.undiscoveredSince = null;
            absent.discovered(t.node);
            if (members.contains(t.node)) {
                connected(t);
            } else if (!speaks(peer)) {
                if (!t.notDialled) {
                    foreign.computeIfAbsent(peer.transport().orElseThrow(), k -> new ArrayList<>()).add(peer);
                }
                notDialled(t);
            } else if (t.status == Status.DISCONNECTED || (t.status == Status.CONNECTED && !firstRound)) {
                // CONNECTED but not a member: its node down is still on its way; dial it anyway
                if (connectNew) {
                    connect(t);
                }
            }
        }
        log.discovered(found);
        foreign.forEach((speaks, alike) -> log.notDialled(speaks, transport.orElseThrow(), alike));
        nodes.values().removeIf(t -> !t.discovered && t.status == Status.DISCONNECTED && !members.contains(t.node));
        return Set.of(byNode.values().toArray(new Peer[0])); // one per node, so distinct: no HashSet to weed out equals
    }

    /** Whether this node's transport can talk to {@code peer}: yes unless both name theirs and they differ. */
    private boolean speaks(Peer peer) {
        return peer.transport().isEmpty() || transport.isEmpty() || peer.transport().equals(transport);
    }

    /** {@code t} speaks a transport this node does not: left alone, its state saying why. */
    private void notDialled(TrackedNode t) {
        t.cancelRetry();
        t.notDialled = true;
        t.status = Status.DISCONNECTED;
        t.nextAttempt = null;
        t.lastError = "not dialled: it speaks " + t.peer.transport().orElse("?") + ", this node's transport is "
                + transport.orElse("?");
        log.settled(t.node);
    }

    private void connected(TrackedNode t) {
        t.connected(loop);
        log.settled(t.node);
    }

    /** {@code t} is no longer discovered: never reconnected; disconnected later if so configured. */
    private void forget(TrackedNode t) {
        t.discovered = false;
        t.notDialled = false;
        t.undiscoveredSince = loop.now();
        discoveryEvents.accept(ClusterEvent.nodeLost(t.node, loop.now()));
        t.cancelRetry();
        if (t.status == Status.BACKING_OFF) {
            t.status = Status.DISCONNECTED;
            t.nextAttempt = null;
        }
    }

    /**
     * The longest wait between attempts at a node that is still discovered: the backoff's cap, but
     * at most half the refresh interval. However long a partition lasted, a node is then tried at
     * least twice per refresh, so a network that heals is whole again within one refresh interval.
     */
    static Duration retryCap(RuntimeSettings settings) {
        Duration max = settings.backoffMax();
        return settings.refreshInterval().map(r -> r.dividedBy(2)).filter(half -> half.compareTo(max) < 0).orElse(max);
    }

    /**
     * An operator's connect: dials {@code peer} now, skipping its backoff; a node discovery does
     * not report is dialled once and not retried.
     */
    CompletionStage<Void> connectNow(Peer peer) {
        if (peer.node().equals(self)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(peer.node() + " is this node"));
        }
        TrackedNode t = nodes.computeIfAbsent(peer.node(), TrackedNode::new);
        if (dist.members().contains(t.node)) {
            connected(t);
            changed.run();
            return CompletableFuture.completedFuture(null);
        }
        if (peer.port().isPresent() || t.peer.port().isEmpty()) {
            t.peer = peer;
        }
        CompletionStage<Void> stage = connect(t);
        changed.run();
        return stage;
    }

    /**
     * @return the transport's answer, completed on the loop thread once the node's state records it
     *     (an operator who sees a connect fail then reads the failure in the node's state)
     */
    private CompletionStage<Void> connect(TrackedNode t) {
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
        // the Dist promises to answer within the timeout; this guard holds the loop to it if it does not
        Duration bound = settings.connectTimeout().plus(CONNECT_GRACE);
        Scheduler.Timer guard = loop.schedule(() -> connectResult(node, attempt,
                "the transport did not answer within " + bound.toMillis() + " ms"), bound);
        CompletableFuture<Void> settled = new CompletableFuture<>();
        stage.whenComplete((ok, err) -> loop.execute(() -> {
            guard.cancel();
            try {
                connectResult(node, attempt, err == null ? null : describe(err));
            } finally {
                if (err == null) {
                    settled.complete(null);
                } else {
                    settled.completeExceptionally(err);
                }
            }
        }));
        return settled;
    }

    private void connectResult(NodeName node, long attempt, String error) {
        TrackedNode t = nodes.get(node);
        if (t == null || t.attempt != attempt || t.status != Status.CONNECTING) {
            return; // superseded, or already settled by a node up/down event
        }
        if (error == null) {
            connected(t);
        } else {
            failed(t, error, true);
        }
        changed.run();
    }

    /** Records a failed attempt or a drop; retries on the node's own timer if it is still wanted. */
    private void failed(TrackedNode t, String error, boolean log) {
        boolean sameAsBefore = error.equals(t.lastError);
        t.failures++;
        t.lastError = error;
        if (retried(t)) {
            Duration delay = backoff.delay(t.failures);
            retryAfter(t, delay);
            if (log) {
                // the same error again is news to nobody; many nodes failing alike are one line
                this.log.connectFailed(t.node, error, sameAsBefore, t.failures, delay);
            }
        } else {
            t.status = Status.DISCONNECTED;
            t.nextAttempt = null;
            if (log) {
                LOG.log(Level.WARNING, "cannot connect to {0}: {1}; not retrying ({2})", t.node, error,
                        t.discovered ? "refresh.interval.ms=infinity" : "not discovered");
            }
        }
    }

    /** Whether {@code t} is dialled again after a failure or a drop. */
    private boolean retried(TrackedNode t) {
        return !closed && t.discovered && settings.refreshInterval().isPresent();
    }

    private void retryAfter(TrackedNode t, Duration delay) {
        t.status = Status.BACKING_OFF;
        t.nextAttempt = loop.now().plus(delay);
        NodeName node = t.node;
        t.retry = loop.schedule(() -> retry(node), delay);
    }

    private void retry(NodeName node) {
        TrackedNode t = nodes.get(node);
        if (closed || t == null || t.status != Status.BACKING_OFF || !t.discovered) {
            return;
        }
        t.retry = null;
        if (dist.members().contains(node)) {
            connected(t);
        } else if (!speaks(t.peer)) {
            notDialled(t);
        } else {
            connect(t);
        }
        changed.run();
    }

    void nodeUp(NodeName node) {
        TrackedNode t = nodes.computeIfAbsent(node, TrackedNode::new);
        connected(t);
        if (!t.discovered) {
            absent.connectedUndiscovered(node);
        }
    }

    void nodeDown(ClusterEvent e) {
        TrackedNode t = nodes.get(e.node());
        if (t == null || t.status == Status.CONNECTING) {
            return; // a pending attempt settles it
        }
        t.cancelRetry();
        String reason = e.reason().map(Enum::name).orElse("?");
        String error = "down: " + reason + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")");
        if (redialsPromptly(t, e) && retried(t)) {
            // not a failure: the next attempt that fails waits the initial backoff, as after any drop
            t.lastError = error;
            retryAfter(t, backoff.prompt());
        } else {
            failed(t, error, false);
        }
        if (!t.discovered) {
            nodes.remove(e.node());
        }
    }

    /**
     * Whether the drop {@code e} of {@code t} is redialled at once rather than after the backoff: the
     * connection had lived at least {@code reconnect.backoff.initial.ms}, and the peer closed it or
     * fell silent (not a protocol error, not this node's own disconnect). A node that resumes after
     * a pause in which its peers reported it down then finds its connections closed and dials them
     * again at once; its peers, which dialled it as soon as they reported it, are answered as it
     * resumes. A peer whose connections keep dropping sooner waits the backoff as before, and one
     * that stays up that long between drops is dialled at most once per that time.
     */
    private boolean redialsPromptly(TrackedNode t, ClusterEvent e) {
        boolean drop = e.reason().filter(r -> r == DownReason.CONNECTION_CLOSED || r == DownReason.HEARTBEAT_TIMEOUT).isPresent();
        return drop && t.status == Status.CONNECTED && t.connectedSince != null
                && !Duration.between(t.connectedSince, loop.now()).minus(backoff.longLived()).isNegative();
    }

    /** Cancels every pending retry; nothing is dialled afterwards. */
    void close() {
        closed = true;
        nodes.values().forEach(TrackedNode::cancelRetry);
        log.close();
    }

    /** Every tracked node's state: {@code last} itself when it holds just these (a refresh mostly changes none). */
    Map<NodeName, NodeState> states(Map<NodeName, NodeState> last) {
        boolean same = last.size() == nodes.size();
        for (Iterator<TrackedNode> i = nodes.values().iterator(); same && i.hasNext();) {
            TrackedNode t = i.next();
            same = last.get(t.node) == t.state();
        }
        if (same) {
            return last;
        }
        Map<NodeName, NodeState> states = new HashMap<>();
        nodes.values().forEach(t -> states.put(t.node, t.state()));
        return states;
    }

    private static String describe(Throwable err) {
        Throwable t = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
