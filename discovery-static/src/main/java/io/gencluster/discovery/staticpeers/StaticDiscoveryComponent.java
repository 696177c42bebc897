package io.gencluster.discovery.staticpeers;

import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Publishes a {@link StaticDiscovery} built from configuration {@value #PID}: the singleton
 * configuration, or any number of factory configurations of that factory PID (files
 * {@code io.gencluster.discovery.static-east.cfg}, {@code ...-west.cfg}), one service per list;
 * the runtime uses the union of their peers. A change re-creates that one list's service only.
 */
@Component(
        configurationPid = StaticDiscoveryComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Discovery.STRATEGY_PROPERTY + "=static")
@Designate(ocd = StaticDiscoveryConfig.class, factory = true)
public final class StaticDiscoveryComponent implements Discovery {

    static final String PID = "io.gencluster.discovery.static";

    private static final System.Logger LOG = System.getLogger(StaticDiscoveryComponent.class.getName());

    private final StaticDiscovery discovery;

    @Activate
    public StaticDiscoveryComponent(StaticDiscoveryConfig config, Map<String, Object> properties) {
        // the configuration's own PID: io.gencluster.discovery.static, or ...static~east for a factory one
        Object pid = properties.getOrDefault("service.pid", PID);
        discovery = StaticDiscovery.of(config, pid);
        LOG.log(Level.INFO, "{0}: {1} node(s) configured: {2}", pid, discovery.peers().size(), discovery.peers());
    }

    @Override
    public Set<Peer> peers() {
        return discovery.peers();
    }
}
