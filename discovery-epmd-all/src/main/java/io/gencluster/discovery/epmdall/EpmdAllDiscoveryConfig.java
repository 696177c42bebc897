package io.gencluster.discovery.epmdall;

import io.gencluster.discovery.kit.PeerLimit;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of an {@link EpmdAllDiscovery}, {@code io.gencluster.discovery.epmd}, as a
 * type: what DS hands the {@link EpmdAllDiscoveryComponent}. {@link EpmdAllDiscovery#of} checks it.
 */
@ObjectClassDefinition(id = EpmdAllDiscoveryComponent.PID, name = "gen-cluster EPMD discovery",
        description = "Discovers every node registered with the EPMD port mapper of each host.")
public @interface EpmdAllDiscoveryConfig {
    @AttributeDefinition(name = "Hosts", description = "Hosts whose EPMD to ask; 'localhost' means this node's"
            + " own host (the host part of its name). An empty list is a configuration error.")
    String[] hosts() default {"localhost"};

    @AttributeDefinition(name = "EPMD port", description = "-1: ERL_EPMD_PORT if set, else 4369.")
    int epmd_port() default -1;

    @AttributeDefinition(name = "Timeout (ms)", description = "Upper bound on each EPMD request.")
    long timeout_ms() default 2000;

    @AttributeDefinition(name = "Include foreign nodes", description = "Also return names that are not"
            + " gen-cluster nodes (Erlang nodes, C nodes), told apart by the marker in their registration;"
            + " they speak the erlang transport, so dist-erlang dials them and dist-tcp does not (it says so once).")
    boolean include_foreign() default false;

    @AttributeDefinition(name = "Most peers", description = "The most nodes discovered, at least 1: with more,"
            + " the first ones by name (hosts in the order listed), the same at every refresh, and a warning says so once.")
    int max_peers() default PeerLimit.DEFAULT;
}
