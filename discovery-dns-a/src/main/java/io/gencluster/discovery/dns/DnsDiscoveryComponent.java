package io.gencluster.discovery.dns;

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
 * Publishes a {@link DnsDiscovery} built from configuration {@value #PID}: the singleton
 * configuration, or any number of factory configurations of that factory PID (files
 * {@code io.gencluster.discovery.dns-web.cfg}, {@code ...-api.cfg}), one service per domain; the
 * runtime uses the union of their peers. A bad configuration is
 * logged by key and value and makes this strategy fail with that reason (the runtime keeps the
 * peers it had) until it is fixed; no restart is needed.
 */
@Component(configurationPid = DnsDiscoveryComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Discovery.STRATEGY_PROPERTY + "=dns")
@Designate(ocd = DnsDiscoveryConfig.class, factory = true)
public final class DnsDiscoveryComponent implements Discovery {

    static final String PID = "io.gencluster.discovery.dns";

    private static final System.Logger LOG = System.getLogger(DnsDiscoveryComponent.class.getName());

    private volatile DnsDiscovery discovery;
    private volatile String configurationError;

    @Reference(service = Dist.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Map<String, Object> transport;

    @Activate
    @Modified
    void apply(DnsDiscoveryConfig c, Map<String, Object> raw) {
        // the configuration's own PID: io.gencluster.discovery.dns, or ...dns~web for a factory one
        Object pid = raw.getOrDefault("service.pid", PID);
        try {
            DnsSettings settings = DnsSettings.of(c, raw);
            discovery = new DnsDiscovery(settings, this::ownName);
            configurationError = null;
            LOG.log(Level.INFO, "{0}: {1}", pid, settings);
        } catch (IllegalArgumentException e) {
            discovery = null;
            configurationError = "configuration " + pid + " rejected: " + e.getMessage();
            LOG.log(Level.ERROR, "{0}; this strategy fails until it is fixed", configurationError);
        }
    }

    @Override
    public Set<Peer> peers() throws DiscoveryException {
        DnsDiscovery d = discovery;
        if (d == null) {
            throw new DiscoveryException(configurationError);
        }
        return d.peers();
    }

    private String ownName() {
        Map<String, Object> t = transport;
        Object node = t == null ? null : t.get(Dist.NODE_PROPERTY);
        return node == null ? null : NodeName.parse(node.toString()).name();
    }
}
