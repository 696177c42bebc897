package io.gencluster.discovery.dns;

import io.gencluster.discovery.kit.PeerLimit;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of a {@link DnsDiscovery}, {@code io.gencluster.discovery.dns} (a singleton or
 * factory PID), as a type: what DS hands the {@link DnsDiscoveryComponent} and what a plain-Java
 * node fills from the {@code .cfg} file for the {@link DnsDiscoveryProvider}.
 * {@link DnsSettings#of} checks it.
 */
@ObjectClassDefinition(id = DnsDiscoveryComponent.PID, name = "gen-cluster DNS discovery",
        description = "Discovers nodes from DNS A, AAAA or SRV records, e.g. a Kubernetes headless Service.")
public @interface DnsDiscoveryConfig {
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

    @AttributeDefinition(name = "Most peers", description = "The most nodes one answer gives, at least 1: a larger"
            + " answer gives the first ones by address (SRV: by target), the same at every refresh whatever order"
            + " the server answers in, and a warning says so once.")
    int max_peers() default PeerLimit.DEFAULT;
}
