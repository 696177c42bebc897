package io.gencluster.discovery.staticpeers;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import io.gencluster.api.NodeName;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryProvider;

/**
 * Static discovery for plain Java (ServiceLoader), from the same configuration type as
 * {@link StaticDiscoveryComponent}. Optional in OSGi, where the DS component does this.
 */
@ServiceProvider(value = DiscoveryProvider.class, resolution = Resolution.OPTIONAL)
public final class StaticDiscoveryProvider implements DiscoveryProvider<StaticDiscoveryConfig> {

    @Override
    public String pid() {
        return StaticDiscoveryComponent.PID;
    }

    @Override
    public String strategy() {
        return "static";
    }

    @Override
    public Class<StaticDiscoveryConfig> configurationType() {
        return StaticDiscoveryConfig.class;
    }

    @Override
    public Discovery create(StaticDiscoveryConfig configuration, NodeName self) {
        return StaticDiscovery.of(configuration, pid());
    }
}
