package io.gencluster.itests.hosts.probe;

import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.Messenger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The probe a multi-host test adds to every node: it answers the test's commands on stdin and
 * reports every cluster event on stdout (protocol: the module's README).
 *
 * <p>It starts with the bundle, before the node is configured: the {@link Cluster} and
 * {@link Messenger} services come when FileInstall has applied the .cfg files, and go and come
 * back when a configuration changes, so both are optional dynamic references and the probe says
 * {@code PROBE READY <self>} each time both are there after one was missing. As a whiteboard
 * {@link ClusterListener} of every event type it is called on the runtime's event thread.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, immediate = true, service = ClusterListener.class,
        property = ClusterEvent.TYPES_PROPERTY + "=*")
public final class ProbeComponent implements ClusterListener {

    private final ProbeOutput out = new ProbeOutput(System.out);
    private final Object lock = new Object();
    private Cluster cluster; // guarded by lock
    private Messenger messenger; // guarded by lock
    private boolean ready; // guarded by lock: READY said for the services present now
    private volatile ProbeCommands commands; // set at activation; events may arrive on the event thread before
    private CommandReader reader;

    @Activate
    void activate(BundleContext context) {
        commands = new ProbeCommands(context, this::cluster, this::messenger, out);
        reader = new CommandReader(System.in, commands, out);
        reader.start();
        sayReadyOnceComplete();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        reader.close();
        commands.close();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindCluster(Cluster c) {
        synchronized (lock) {
            cluster = c;
        }
        sayReadyOnceComplete();
    }

    void unbindCluster(Cluster c) {
        synchronized (lock) {
            if (cluster == c) {
                cluster = null;
                ready = false;
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMessenger(Messenger m) {
        synchronized (lock) {
            messenger = m;
        }
        sayReadyOnceComplete();
    }

    void unbindMessenger(Messenger m) {
        synchronized (lock) {
            if (messenger == m) {
                messenger = null;
                ready = false;
            }
        }
    }

    @Override
    public void clusterEvent(ClusterEvent event) {
        out.say(EventLine.of(event));
        if (event.type() == ClusterEvent.Type.NODE_DOWN && commands != null) {
            commands.nodeDown(event.node());
        }
    }

    private Cluster cluster() {
        synchronized (lock) {
            return cluster;
        }
    }

    private Messenger messenger() {
        synchronized (lock) {
            return messenger;
        }
    }

    /** Bind methods run before activation too: READY waits for both services and for the output's owner. */
    private void sayReadyOnceComplete() {
        synchronized (lock) {
            if (!ready && cluster != null && messenger != null && commands != null) {
                ready = true;
                out.say("READY " + cluster.self());
            }
        }
    }
}
