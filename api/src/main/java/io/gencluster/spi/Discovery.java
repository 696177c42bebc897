package io.gencluster.spi;

import io.gencluster.api.Peer;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A discovery strategy: says which nodes should currently be in the cluster.
 *
 * <p>Registered as an OSGi service with the property {@value #STRATEGY_PROPERTY} naming the
 * strategy ({@code static}, {@code epmd-all}, {@code dns}, ...). The runtime calls
 * {@link #peers()} once per refresh, from its own refresh thread, never concurrently for one
 * instance. The call may block on the network but must give up after the strategy's own timeout.
 */
@ConsumerType
public interface Discovery {

    /** Service property naming the strategy of a {@code Discovery} service. */
    String STRATEGY_PROPERTY = "gencluster.discovery";

    /**
     * The peers this strategy sees now. The set may include the local node; the runtime skips it.
     *
     * @return the peers seen, never {@code null}; an empty set means "no nodes", never "failed"
     * @throws DiscoveryException when the source could not be asked or its answer could not be
     *     read; the runtime then keeps this strategy's last known peers
     */
    Set<Peer> peers() throws DiscoveryException;
}
