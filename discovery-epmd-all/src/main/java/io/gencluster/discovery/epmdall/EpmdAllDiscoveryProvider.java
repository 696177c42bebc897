package io.gencluster.discovery.epmdall;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import io.gencluster.api.NodeName;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryProvider;
import java.util.Map;

/**
 * EPMD discovery for plain Java (ServiceLoader), from the same configuration type and checks as
 * {@link EpmdAllDiscoveryComponent}; {@code localhost} is the host part of this node's name.
 * Optional in OSGi, where the DS component does this.
 */
@ServiceProvider(value = DiscoveryProvider.class, resolution = Resolution.OPTIONAL)
public final class EpmdAllDiscoveryProvider implements DiscoveryProvider<EpmdAllDiscoveryConfig> {

    @Override
    public String pid() {
        return EpmdAllDiscoveryComponent.PID;
    }

    @Override
    public String strategy() {
        return "epmd-all";
    }

    @Override
    public Class<EpmdAllDiscoveryConfig> configurationType() {
        return EpmdAllDiscoveryConfig.class;
    }

    @Override
    public Discovery create(EpmdAllDiscoveryConfig configuration, NodeName self) {
        // values were converted by the caller, which names a value that does not fit: no raw map needed
        return EpmdAllDiscovery.of(configuration, Map.of(), self::host);
    }
}
