package io.gencluster.spi;

import io.gencluster.api.ClusterListener;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A transport that connects this node to others.
 *
 * <p>Registered as an OSGi service with the property {@value #TRANSPORT_PROPERTY} naming the
 * transport ({@code tcp}, ...). A transport keeps at most one connection per pair of nodes and
 * reports every connection established or lost to its listeners, with a reason. All methods are
 * thread-safe and none of them blocks on the network.
 */
@ConsumerType
public interface Dist {

    /** Service property naming the transport of a {@code Dist} service. */
    String TRANSPORT_PROPERTY = "gencluster.dist";

    /**
     * Service property carrying the name of this node ({@link #self()}, in text form) on a
     * {@code Dist} service, so that a strategy can learn it without binding the transport.
     */
    String NODE_PROPERTY = "gencluster.node";

    /**
     * The transport this is, named as its {@value #TRANSPORT_PROPERTY} service property names it
     * ({@code tcp}, {@code erlang}): the runtime dials a discovered peer only when the peer's
     * {@link Peer#transport()} is empty or names this one, and says once for each other peer that
     * it is not dialled. Empty, the default, means not said: every peer is dialled.
     *
     * @since 1.1
     */
    default Optional<String> transport() {
        return Optional.empty();
    }

    /** The name of this node, as other nodes know it. */
    NodeName self();

    /** The nodes connected now (a snapshot; never contains {@link #self()}). */
    Set<NodeName> members();

    /**
     * Starts connecting to {@code peer}, without blocking.
     *
     * <p>The stage completes normally once a connection to the peer's node is established
     * (at once when one already is, whichever side opened it), and exceptionally, at the latest
     * when {@code timeout} has passed, when it could not be: the exception's message says why
     * (unreachable, refused, wrong cookie, timed out, not the node that was dialled). Connecting
     * to {@link #self()} fails at once.
     */
    CompletionStage<Void> connect(Peer peer, Duration timeout);

    /**
     * Closes the connection to {@code node}, if any, reporting it down with
     * {@link DownReason#DISCONNECTED}. Does nothing if the node is not connected.
     */
    void disconnect(NodeName node);

    /**
     * Adds a listener for this transport's node up/down events. Events are delivered on the
     * transport's event thread, in order per node; a listener added while nodes are connected
     * is not told of them (read {@link #members()} after adding it).
     */
    void addListener(ClusterListener listener);

    /** Removes a listener added with {@link #addListener(ClusterListener)}. */
    void removeListener(ClusterListener listener);
}
