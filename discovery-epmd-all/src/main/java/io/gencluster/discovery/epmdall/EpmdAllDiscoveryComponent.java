package io.gencluster.discovery.epmdall;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryException;
import io.gencluster.spi.Dist;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Publishes an {@link EpmdAllDiscovery} built from configuration {@value #PID}. A bad
 * configuration is logged by key and value and makes the strategy fail with that reason until it
 * is fixed.
 */
@Component(configurationPid = EpmdAllDiscoveryComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Discovery.STRATEGY_PROPERTY + "=epmd-all")
@Designate(ocd = EpmdAllDiscoveryConfig.class)
public final class EpmdAllDiscoveryComponent implements Discovery {

    static final String PID = "io.gencluster.discovery.epmd";

    private static final System.Logger LOG = System.getLogger(EpmdAllDiscoveryComponent.class.getName());

    private volatile EpmdAllDiscovery discovery;
    private volatile String configurationError;

    @Reference(service = Dist.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Map<String, Object> transport;

    @Activate
    @Modified
    void apply(EpmdAllDiscoveryConfig c, Map<String, Object> raw) {
        try {
            discovery = EpmdAllDiscovery.of(c, raw, this::ownHost);
            configurationError = null;
            LOG.log(Level.INFO, "{0}: {1}", PID, discovery);
        } catch (IllegalArgumentException e) {
            discovery = null;
            configurationError = "configuration " + PID + " rejected: " + e.getMessage();
            LOG.log(Level.ERROR, "{0}; this strategy fails until it is fixed", configurationError);
        }
    }

    @Override
    public Set<Peer> peers() throws DiscoveryException {
        EpmdAllDiscovery d = discovery;
        if (d == null) {
            throw new DiscoveryException(configurationError);
        }
        return d.peers();
    }

    private String ownHost() {
        Map<String, Object> t = transport;
        Object node = t == null ? null : t.get(Dist.NODE_PROPERTY);
        return node == null ? null : NodeName.parse(node.toString()).host();
    }
}
