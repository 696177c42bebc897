package io.gencluster.discovery.staticpeers;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import io.gencluster.api.NodeName;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryProvider;
import java.lang.System.Logger.Level;
import java.util.Arrays;

/**
 * Static discovery for plain Java (ServiceLoader), from the same configuration type as
 * {@link StaticDiscoveryComponent}. Optional in OSGi, where the DS component does this.
 */
@ServiceProvider(value = DiscoveryProvider.class, resolution = Resolution.OPTIONAL)
public final class StaticDiscoveryProvider implements DiscoveryProvider<StaticDiscoveryConfig> {

    private static final System.Logger LOG = System.getLogger(StaticDiscoveryProvider.class.getName());

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
        StaticDiscovery discovery = new StaticDiscovery(Arrays.asList(configuration.nodes()));
        for (String problem : discovery.rejected()) {
            LOG.log(Level.ERROR, "{0}: key ''nodes'': skipping {1}", pid(), problem);
        }
        return discovery;
    }
}
