package io.gencluster.spi;

import io.gencluster.api.NodeName;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Creates a discovery strategy without OSGi, found through {@link java.util.ServiceLoader} by the
 * runtime's plain-Java launcher, as {@link DistProvider} is for transports; the launcher uses a
 * strategy when its configuration is present. Configuration is typed in the same way.
 *
 * @param <C> the configuration type, an annotation interface
 */
@ConsumerType
public interface DiscoveryProvider<C> {

    /** The configuration PID, as in OSGi, such as {@code io.gencluster.discovery.static}. */
    String pid();

    /** The strategy's name, the value of {@link Discovery#STRATEGY_PROPERTY} in OSGi. */
    String strategy();

    /** The annotation interface that describes the configuration. */
    Class<C> configurationType();

    /**
     * Creates the strategy.
     *
     * @param self this node, for strategies whose defaults derive from it
     * @throws IllegalArgumentException naming the key and the value of a bad setting
     */
    Discovery create(C configuration, NodeName self);
}
