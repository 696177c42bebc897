/**
 * The gen-cluster contract.
 *
 * <p>Strategies implement {@link io.gencluster.api.Discovery} (which nodes should be in the
 * cluster), transports implement {@link io.gencluster.api.Dist} (how nodes are connected), and the
 * runtime ties them together and publishes the read-only {@link io.gencluster.api.Cluster} view
 * and the operator's {@link io.gencluster.api.ClusterControl}. Without OSGi, strategies and
 * transports are found through {@link java.util.ServiceLoader} as
 * {@link io.gencluster.api.DiscoveryProvider} and {@link io.gencluster.api.DistProvider}.
 * Anyone may register a {@link io.gencluster.api.ClusterListener} to hear of nodes going up and
 * down. This is the only exported package of the project.
 */
@Version("1.2.0")
@Export
package io.gencluster.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
