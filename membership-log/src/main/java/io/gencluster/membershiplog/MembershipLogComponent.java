package io.gencluster.membershiplog;

import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Prints this node's membership on standard output whenever it changes, while the runtime runs
 * (it needs the {@link Cluster} service, so it comes and goes with configuration
 * {@code io.gencluster}). Registered as a whiteboard {@link ClusterListener}; the runtime calls it
 * from its event thread. No configuration: installing the bundle turns it on.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, immediate = true)
public final class MembershipLogComponent implements ClusterListener {

    private final MembershipLog log;

    @Activate
    public MembershipLogComponent(@Reference Cluster cluster) {
        log = new MembershipLog(cluster.self(), System.out);
        log.start(cluster.members());
    }

    @Deactivate
    void deactivate() {
        log.stopped();
    }

    @Override
    public void clusterEvent(ClusterEvent event) {
        log.event(event);
    }
}
