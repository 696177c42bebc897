package io.gencluster.runtime;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.spi.Dist;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A transport the test plays by hand: it records connect and disconnect calls, and the test
 * completes each connect, and reports nodes up and down, when the scenario says so.
 */
final class RecordingDist implements Dist {

    final NodeName self;
    final List<Peer> connects = new ArrayList<>();
    final Map<NodeName, CompletableFuture<Void>> pending = new LinkedHashMap<>();
    final List<NodeName> disconnects = new ArrayList<>();
    private final Set<NodeName> members = new HashSet<>();
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();

    /** What {@link #transport()} says: by default nothing, as a Dist written before it existed. */
    private final Optional<String> transport;

    RecordingDist(String self) {
        this(self, Optional.empty());
    }

    RecordingDist(String self, Optional<String> transport) {
        this.self = NodeName.parse(self);
        this.transport = transport;
    }

    @Override
    public Optional<String> transport() {
        return transport;
    }

    @Override
    public NodeName self() {
        return self;
    }

    /** Thrown once by a later {@link #members()} call: a transport bug the loop must survive. */
    private RuntimeException membersFailure;
    private int callsBeforeFailure;

    /** The {@code n}th {@link #members()} call from now (1: the next one) throws {@code failure}, once. */
    synchronized void failMembersCall(int n, RuntimeException failure) {
        membersFailure = failure;
        callsBeforeFailure = n - 1;
    }

    @Override
    public synchronized Set<NodeName> members() {
        RuntimeException failure = membersFailure;
        if (failure != null && callsBeforeFailure-- == 0) {
            membersFailure = null;
            throw failure;
        }
        return Set.copyOf(members);
    }

    @Override
    public synchronized CompletionStage<Void> connect(Peer peer, Duration timeout) {
        connects.add(peer);
        CompletableFuture<Void> f = new CompletableFuture<>();
        pending.put(peer.node(), f);
        return f;
    }

    @Override
    public void disconnect(NodeName node) {
        disconnects.add(node);
        down(node.toString(), DownReason.DISCONNECTED);
    }

    @Override
    public void addListener(ClusterListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ClusterListener listener) {
        listeners.remove(listener);
    }

    /** The pending connect to {@code node} succeeds: the node is up. */
    void accept(String node) {
        NodeName n = NodeName.parse(node);
        up(node);
        pending.remove(n).complete(null);
    }

    /** The pending connect to {@code node} fails. */
    void refuse(String node, String why) {
        pending.remove(NodeName.parse(node)).completeExceptionally(new java.io.IOException(why));
    }

    void up(String node) {
        NodeName n = NodeName.parse(node);
        synchronized (this) {
            members.add(n);
        }
        for (ClusterListener l : listeners) {
            l.clusterEvent(ClusterEvent.nodeUp(n, Instant.now()));
        }
    }

    void down(String node, DownReason reason) {
        NodeName n = NodeName.parse(node);
        synchronized (this) {
            if (!members.remove(n)) {
                return;
            }
        }
        for (ClusterListener l : listeners) {
            l.clusterEvent(ClusterEvent.nodeDown(n, reason, "test", Instant.now()));
        }
    }

    synchronized int connectsTo(String node) {
        NodeName n = NodeName.parse(node);
        return (int) connects.stream().filter(p -> p.node().equals(n)).count();
    }
}
