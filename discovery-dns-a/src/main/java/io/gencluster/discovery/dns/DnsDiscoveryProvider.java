package io.gencluster.discovery.dns;

import aQute.bnd.annotation.Resolution;
import aQute.bnd.annotation.spi.ServiceProvider;
import io.gencluster.api.NodeName;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryProvider;
import java.util.Map;

/**
 * DNS discovery for plain Java (ServiceLoader), from the same configuration type and checks as
 * {@link DnsDiscoveryComponent}; {@code basename} defaults to this node's name part, as there.
 * Optional in OSGi, where the DS component does this.
 */
@ServiceProvider(value = DiscoveryProvider.class, resolution = Resolution.OPTIONAL)
public final class DnsDiscoveryProvider implements DiscoveryProvider<DnsDiscoveryConfig> {

    @Override
    public String pid() {
        return DnsDiscoveryComponent.PID;
    }

    @Override
    public String strategy() {
        return "dns";
    }

    @Override
    public Class<DnsDiscoveryConfig> configurationType() {
        return DnsDiscoveryConfig.class;
    }

    @Override
    public Discovery create(DnsDiscoveryConfig configuration, NodeName self) {
        // values were converted by the caller, which names a value that does not fit: no raw map needed
        return new DnsDiscovery(DnsSettings.of(configuration, Map.of()), self::name);
    }
}
