package io.gencluster.dist.erlang;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.NodeEvents;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which connection to a node gets in, by Erlang's rules, and nothing before the peer proved the
 * cookie. The status a dialling node is told ({@link #status}) changes nothing: {@code alive} when
 * a live connection to it exists, {@code ok_simultaneous} or {@code nok} when this node dials it
 * too (the node whose name sorts higher keeps its attempt, as {@code dist_util} decides). Only an
 * {@link Authenticator.Authenticated} peer is {@link #admit admitted}: then, and only then, a node
 * that said its old connection is dead (it restarted) replaces the live one, and this node's own
 * dial to a node that dialled it is given up. This is OTP's {@code up_pending} rule, except that
 * the newcomer is challenged at once instead of waiting for the old connection to time out.
 * Admitted, the node is up: logged, reported to listeners, its connect callers answered.
 *
 * <p>An incoming handshake told {@code ok} or {@code ok_simultaneous} counts as
 * {@link #accepting accepting} that node until it ends: should this node's own dial to it be told
 * {@code alive} meanwhile, the connection the peer means is the one being accepted, not a dead
 * one, and the dial answers so and gives way.
 */
final class Admission implements Handshake.Arbiter {

    private static final System.Logger LOG = System.getLogger(Admission.class.getName());

    private final Connections connections;
    private final DialAttempts dials;
    private final ConnectResults results;
    private final NodeEvents events;
    private final NodeName self;
    private final int maxFrameBytes;
    private final long sendQueueBytes;
    private final AtomicInteger admitted = new AtomicInteger();
    private final ConcurrentHashMap<NodeName, Integer> accepting = new ConcurrentHashMap<>();

    Admission(ErlangDistSettings settings, Connections connections, DialAttempts dials, ConnectResults results, NodeEvents events) {
        this.connections = connections;
        this.dials = dials;
        this.results = results;
        this.events = events;
        this.self = settings.self;
        this.maxFrameBytes = settings.maxFrameBytes;
        this.sendQueueBytes = settings.sendQueueBytes;
    }

    @Override
    public String status(NodeName initiator) {
        if (connections.live(initiator) != null) {
            return "alive";
        }
        if (dials.of(initiator) == null) {
            return "ok";
        }
        // our dial goes on until the initiator has proved the cookie (admit gives it up then)
        return initiator.toString().compareTo(self.toString()) > 0 ? "ok_simultaneous" : "nok";
    }

    /** The arbiter of one incoming handshake, to be closed when the handshake and its admission end. */
    Accepting accepting() {
        return new Accepting();
    }

    /** Whether an incoming handshake from {@code node} was told to go on and has not ended yet. */
    boolean accepting(NodeName node) {
        return accepting.containsKey(node);
    }

    /** Answers {@link #status} and, from an {@code ok} on, counts its node as being accepted until closed. */
    final class Accepting implements Handshake.Arbiter, AutoCloseable {
        private NodeName counted;

        @Override
        public String status(NodeName initiator) {
            String status = Admission.this.status(initiator);
            if (counted == null && (status.equals("ok") || status.equals("ok_simultaneous"))) {
                accepting.merge(initiator, 1, Integer::sum); // before the peer hears it
                counted = initiator;
            }
            return status;
        }

        @Override
        public void close() {
            if (counted != null) {
                accepting.computeIfPresent(counted, (node, n) -> n == 1 ? null : n - 1);
                counted = null;
            }
        }
    }

    /**
     * Makes an authenticated peer's connection the node's connection and starts it: replacing the
     * live one when the peer said that one is dead, and giving up this node's own dial to it.
     *
     * @throws SimultaneousConnectException when the node got connected meanwhile
     * @throws IOException when the transport is closing, or the connection cannot start
     */
    void admit(Authenticator.Authenticated a) throws IOException {
        Handshake.Result r = a.result;
        NodeName peer = r.peer();
        Connection c = new Connection(peer, a.socket, a.in, maxFrameBytes, sendQueueBytes, connections);
        boolean added = r.claimsOldDead()
                ? connections.replace(c, peer + " connected again and proved the cookie: its old connection is dead")
                : connections.add(c);
        if (!added) {
            throw new SimultaneousConnectException(peer + " is connected already");
        }
        DialAttempts.Attempt mine = a.accepted ? dials.of(peer) : null;
        if (mine != null) {
            mine.cancel(); // the node's own connection got in: ours is not needed
        }
        boolean visible = (r.flags() & DistFlags.PUBLISHED) != 0;
        LOG.log(Level.INFO, "node up {0} ({1} node, creation {2})", peer, visible ? "visible" : "hidden", String.valueOf(r.creation()));
        events.emit(ClusterEvent.nodeUp(peer, Instant.now()));
        results.connected(peer);
        c.start(peer + "-" + admitted.incrementAndGet());
    }
}
