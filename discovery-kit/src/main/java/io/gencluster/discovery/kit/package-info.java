/**
 * What the project's discovery strategies share, so that each idea lives once: the
 * {@link io.gencluster.discovery.kit.PeerLimit bound} on the peers one answer gives (key
 * {@code max.peers}), with its cut logged once per change rather than once per refresh.
 *
 * <p>This package is for the project's strategies; it is not an application API. A strategy
 * written elsewhere implements {@code io.gencluster.spi.Discovery} and needs nothing from here.
 */
@Version("1.0.0")
@Export
package io.gencluster.discovery.kit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
