package io.gencluster.runtime;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The runtime's configuration {@code io.gencluster} as a type: what DS hands the
 * {@link ClusterComponent} and what {@link StandaloneNode} fills from {@code io.gencluster.cfg}.
 * {@link RuntimeSettings#of} checks it; the methods map to keys by the DS rule
 * ({@code refresh_interval_ms()} is {@code refresh.interval.ms}).
 */
@ObjectClassDefinition(
        id = ClusterComponent.PID,
        name = "gen-cluster runtime",
        description = "The cluster: refreshes discovery, connects new peers, reconnects dropped ones.")
public @interface RuntimeConfig {
    @AttributeDefinition(name = "Refresh interval (ms)",
            description = "Time between discovery refreshes, in milliseconds. 'infinity' or a negative value:"
                    + " discover and connect once at start, never again.")
    String refresh_interval_ms() default "5000";

    @AttributeDefinition(name = "Connect timeout (ms)", description = "Upper bound on one connection attempt.")
    long connect_timeout_ms() default 5000;

    @AttributeDefinition(name = "Discovery timeout (ms)",
            description = "Upper bound on one strategy's answer; a slower strategy counts as failing and its last peers are kept.")
    long discovery_timeout_ms() default 10000;

    @AttributeDefinition(name = "Initial reconnect backoff (ms)",
            description = "Delay before retrying a discovered node whose attempt failed or whose connection dropped."
                    + " A connection that had been up at least this long, closed by the peer or fallen silent, is"
                    + " redialled at once instead (within a fifth of this delay, at random).")
    long reconnect_backoff_initial_ms() default 500;

    @AttributeDefinition(name = "Maximum reconnect backoff (ms)",
            description = "The delay doubles with each consecutive failure (with 20% jitter) up to this cap, and never"
                    + " beyond half the refresh interval, so a healed network is whole again within one refresh.")
    long reconnect_backoff_max_ms() default 30000;

    @AttributeDefinition(name = "Removed nodes",
            description = "What to do with a connected node that discovery no longer reports.",
            options = {
                @Option(value = "keep", label = "keep: stay connected, do not reconnect once it drops"),
                @Option(value = "disconnect", label = "disconnect: disconnect it once it stayed undiscovered for removed.grace.ms")
            })
    String removed_nodes() default "keep";

    @AttributeDefinition(name = "Removed node grace (ms)",
            description = "With removed.nodes = disconnect: how long a connected node must stay undiscovered before it is"
                    + " disconnected, so that one partial answer (a port mapper restarting, a DNS record set mid-update)"
                    + " disconnects nobody. 0: at the first refresh without it.")
    long removed_grace_ms() default 15000;

    @AttributeDefinition(name = "Discovery services",
            description = "LDAP filter choosing the Discovery services to use; several = the union of their peers.")
    String discovery_target() default ClusterComponent.DISCOVERY_TARGET;

    @AttributeDefinition(name = "Transport", description = "LDAP filter choosing the Dist service.")
    String dist_target() default ClusterComponent.DIST_TARGET;
}
