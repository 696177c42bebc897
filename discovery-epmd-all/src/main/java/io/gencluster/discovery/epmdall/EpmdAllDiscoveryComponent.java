package io.gencluster.discovery.epmdall;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryException;
import io.gencluster.spi.Dist;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Publishes an {@link EpmdAllDiscovery} built from configuration {@value #PID}. A bad
 * configuration is logged by key and value and makes the strategy fail with that reason until it
 * is fixed.
 */
@Component(configurationPid = EpmdAllDiscoveryComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = Discovery.STRATEGY_PROPERTY + "=epmd-all")
@Designate(ocd = EpmdAllDiscoveryComponent.Config.class)
public final class EpmdAllDiscoveryComponent implements Discovery {

    static final String PID = "io.gencluster.discovery.epmd";

    private static final System.Logger LOG = System.getLogger(EpmdAllDiscoveryComponent.class.getName());

    @ObjectClassDefinition(id = PID, name = "gen-cluster EPMD discovery",
            description = "Discovers every node registered with the EPMD port mapper of each host.")
    public @interface Config {
        @AttributeDefinition(name = "Hosts", description = "Hosts whose EPMD to ask; 'localhost' means this node's"
                + " own host (the host part of its name). An empty list is a configuration error.")
        String[] hosts() default {"localhost"};

        @AttributeDefinition(name = "EPMD port", description = "-1: ERL_EPMD_PORT if set, else 4369.")
        int epmd_port() default -1;

        @AttributeDefinition(name = "Timeout (ms)", description = "Upper bound on each EPMD request.")
        long timeout_ms() default 2000;

        @AttributeDefinition(name = "Include foreign nodes", description = "Also return names that are not"
                + " gen-cluster nodes (Erlang nodes, C nodes), told apart by the marker in their registration.")
        boolean include_foreign() default false;
    }

    private volatile EpmdAllDiscovery discovery;
    private volatile String configurationError;

    @Reference(service = Dist.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Map<String, Object> transport;

    @Activate
    @Modified
    void apply(Config c, Map<String, Object> raw) {
        try {
            discovery = discovery(c, raw, this::ownHost);
            configurationError = null;
            LOG.log(Level.INFO, "{0}: {1}", PID, discovery);
        } catch (IllegalArgumentException e) {
            discovery = null;
            configurationError = "configuration " + PID + " rejected: " + e.getMessage();
            LOG.log(Level.ERROR, "{0}; this strategy fails until it is fixed", configurationError);
        }
    }

    /**
     * The discovery a configuration describes.
     *
     * @throws IllegalArgumentException naming the key and value of the first invalid setting
     */
    static EpmdAllDiscovery discovery(Config c, Map<String, Object> raw, java.util.function.Supplier<String> ownHost) {
        List<String> hosts = Arrays.stream(c.hosts()).flatMap(v -> Arrays.stream(v.split("[,\\s]+")))
                .filter(s -> !s.isEmpty()).toList();
        int port = number("epmd.port", c::epmd_port, raw);
        if (port == -1) {
            port = EpmdClient.defaultPort();
        } else if (port < 1 || port > 65535) {
            throw invalid("epmd.port", port, "must be a port number, or -1 for ERL_EPMD_PORT / 4369");
        }
        long timeout = number("timeout.ms", c::timeout_ms, raw);
        if (timeout <= 0) {
            throw invalid("timeout.ms", timeout, "must be a positive number of milliseconds");
        }
        return new EpmdAllDiscovery(hosts, port, Duration.ofMillis(timeout), c.include_foreign(), ownHost);
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

    private static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key '" + key + "' has invalid value '" + value + "': " + why);
    }

    private static <T> T number(String key, java.util.function.Supplier<T> value, Map<String, Object> raw) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw invalid(key, raw.get(key), "expected a whole number");
        }
    }
}
