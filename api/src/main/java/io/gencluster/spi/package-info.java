/**
 * What a strategy or transport author implements.
 *
 * <p>Strategies implement {@link io.gencluster.spi.Discovery} (which nodes should be in the
 * cluster) and transports implement {@link io.gencluster.spi.Dist} (how nodes are connected); both
 * are registered as OSGi services, and the runtime binds them. Without OSGi, they are found
 * through {@link java.util.ServiceLoader} as {@link io.gencluster.spi.DiscoveryProvider} and
 * {@link io.gencluster.spi.DistProvider}. This package is versioned apart from
 * {@code io.gencluster.api}, so a change here concerns implementers only, not applications.
 */
@Version("1.1.0")
@Export
package io.gencluster.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
