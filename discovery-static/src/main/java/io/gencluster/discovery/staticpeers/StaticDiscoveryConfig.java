package io.gencluster.discovery.staticpeers;

import io.gencluster.discovery.kit.PeerLimit;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of a {@link StaticDiscovery}, {@code io.gencluster.discovery.static} (a
 * singleton or factory PID), as a type: what DS hands the {@link StaticDiscoveryComponent} and
 * what a plain-Java node fills from the {@code .cfg} file for the {@link StaticDiscoveryProvider}.
 */
@ObjectClassDefinition(
        id = StaticDiscoveryComponent.PID,
        name = "gen-cluster static discovery",
        description = "Discovers a fixed list of nodes.")
public @interface StaticDiscoveryConfig {
    @AttributeDefinition(
            name = "Nodes",
            description = "Nodes to connect to: name@host or name@host:port (IPv6: name@[addr]:port),"
                    + " as a list or one comma-separated value. Invalid entries are logged and skipped.")
    String[] nodes() default {};

    @AttributeDefinition(name = "Most peers", description = "The most nodes this list gives, at least 1:"
            + " a longer list gives the first ones as listed, and a warning says so once.")
    int max_peers() default PeerLimit.DEFAULT;
}
