package io.gencluster.api;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What an operator may ask of the running cluster: refresh now, connect a node now, drop a
 * connection. Published by the runtime beside the read-only {@link Cluster} view, as a service of
 * its own so that a deployment can grant the view without the control (service permissions).
 *
 * <p>Every method returns at once, from any thread; the work runs on the runtime's loop thread and
 * the stage completes there. Each stage completes, at the latest, when the runtime's own timeout
 * for that work has passed.
 */
@ProviderType
public interface ClusterControl {

    /**
     * Runs a discovery refresh now instead of at the next interval (a refresh already running is
     * not started twice: the stage completes when it ends). The stage completes once the
     * discovered peers are applied, so {@link Cluster#discovered()} shows them; new peers are
     * then being connected.
     */
    CompletionStage<Void> refresh();

    /**
     * Connects to {@code peer} now, skipping any backoff it waits in. A node discovery does not
     * report is connected once and not reconnected when it drops.
     *
     * <p>The stage completes when the node is connected (at once if it already is) and
     * exceptionally, within the connect timeout, with the transport's reason when it cannot be.
     */
    CompletionStage<Void> connect(Peer peer);

    /**
     * Closes the connection to {@code node} (it is reported down with
     * {@link DownReason#DISCONNECTED}). A node that discovery still reports is reconnected after
     * its backoff, as after any drop; the node itself, when its discovery reports this one, may
     * dial again at once, as after any long-lived connection its peer closed. To keep it away,
     * remove it from discovery. Does nothing when the node is not connected.
     */
    void disconnect(NodeName node);
}
