/**
 * What an application uses.
 *
 * <p>The runtime publishes the read-only {@link io.gencluster.api.Cluster} view and the operator's
 * {@link io.gencluster.api.ClusterControl}; anyone may register a
 * {@link io.gencluster.api.ClusterListener} to hear of nodes going up and down, and send and
 * receive messages with {@link io.gencluster.api.Messenger} and
 * {@link io.gencluster.api.MessageHandler}. Nodes are named by {@link io.gencluster.api.NodeName}
 * and reached at a {@link io.gencluster.api.Peer}. What strategies and transports implement is in
 * {@code io.gencluster.spi}.
 */
@Version("2.2.0")
@Export
package io.gencluster.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
