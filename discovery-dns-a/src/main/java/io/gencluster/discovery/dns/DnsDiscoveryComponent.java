package io.gencluster.discovery.dns;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryException;
import io.gencluster.spi.Dist;
import java.lang.System.Logger.Level;
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
import org.osgi.service.metatype.annotations.Option;

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
@Designate(ocd = DnsDiscoveryComponent.Config.class, factory = true)
public final class DnsDiscoveryComponent implements Discovery {

    static final String PID = "io.gencluster.discovery.dns";

    private static final System.Logger LOG = System.getLogger(DnsDiscoveryComponent.class.getName());

    @ObjectClassDefinition(id = PID, name = "gen-cluster DNS discovery",
            description = "Discovers nodes from DNS A, AAAA or SRV records, e.g. a Kubernetes headless Service.")
    public @interface Config {
        @AttributeDefinition(name = "Domain", description = "The name to look up, e.g. my-service.my-namespace"
                + " (search domains apply, as for the system resolver). Required.")
        String domain() default "";

        @AttributeDefinition(name = "Record type", description = "Which records to look up: A (IPv4), AAAA (IPv6)"
                + " or SRV (targets with ports; priority and weight are ignored).", options = {
            @Option(value = "A", label = "A: IPv4 addresses"),
            @Option(value = "AAAA", label = "AAAA: IPv6 addresses"),
            @Option(value = "SRV", label = "SRV: targets with ports (priority and weight are ignored)")})
        String record_type() default "A";

        @AttributeDefinition(name = "Basename", description = "Name part of every discovered node (basename@host)."
                + " Empty: this node's own name part, as all nodes of a Deployment share it.")
        String basename() default "";

        @AttributeDefinition(name = "Host type", description = "Host part of discovered nodes: 'ip' (the address;"
                + " for SRV, the target's addresses) or 'hostname' (the address's PTR name; for SRV, the target)."
                + " Empty: ip for A/AAAA, hostname for SRV.", required = false)
        String host_type() default "";

        @AttributeDefinition(name = "Servers", description = "DNS servers, host or host:port ([v6]:port)."
                + " Empty: the system's resolvers.", required = false)
        String[] servers() default {};

        @AttributeDefinition(name = "Port", description = "Port of peers found by A/AAAA records."
                + " 0: none, the transport's peer.port is used. SRV records carry their own.")
        int port() default 0;

        @AttributeDefinition(name = "Search domains", description = "Domains tried after the name as given,"
                + " as the system resolver does. Empty: the system's.", required = false)
        String[] search() default {};

        @AttributeDefinition(name = "Timeout (ms)", description = "Upper bound on one DNS query.")
        long timeout_ms() default 5000;
    }

    private volatile DnsDiscovery discovery;
    private volatile String configurationError;

    @Reference(service = Dist.class, cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Map<String, Object> transport;

    @Activate
    @Modified
    void apply(Config c, Map<String, Object> raw) {
        // the configuration's own PID: io.gencluster.discovery.dns, or ...dns~web for a factory one
        Object pid = raw.getOrDefault("service.pid", PID);
        try {
            DnsSettings settings = settings(c, raw);
            discovery = new DnsDiscovery(settings, this::ownName);
            configurationError = null;
            LOG.log(Level.INFO, "{0}: {1}", pid, settings);
        } catch (IllegalArgumentException e) {
            discovery = null;
            configurationError = "configuration " + pid + " rejected: " + e.getMessage();
            LOG.log(Level.ERROR, "{0}; this strategy fails until it is fixed", configurationError);
        }
    }

    /**
     * The settings a configuration describes; also used without OSGi by {@link DnsDiscoveryProvider}
     * and by the fuzz target.
     *
     * @throws IllegalArgumentException naming the key and value of the first invalid setting
     */
    static DnsSettings settings(Config c, Map<String, ?> raw) {
        return new DnsSettings(c.domain(), c.record_type(), c.basename(), c.host_type(),
                split(c.servers()), number("port", c::port, raw), split(c.search()), number("timeout.ms", c::timeout_ms, raw));
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

    /** A .cfg file gives a list as one string: accept commas and spaces as separators too. */
    private static List<String> split(String[] values) {
        return Arrays.stream(values).flatMap(v -> Arrays.stream(v.split("[,\\s]+"))).filter(s -> !s.isEmpty()).toList();
    }

    private static <T> T number(String key, java.util.function.Supplier<T> value, Map<String, ?> raw) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw DnsSettings.invalid(key, raw.get(key), "expected a whole number");
        }
    }
}
