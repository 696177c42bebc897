package io.gencluster.shell;

import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterControl;
import io.gencluster.api.Messenger;
import java.time.Clock;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code cluster:*} shell commands. Gogo (and Karaf, which runs Gogo commands too) calls the
 * public methods named in {@code osgi.command.function} by reflection, converting the words typed
 * into the parameters, and prints what they return; an exception is printed as the command's error.
 *
 * <p>The services are optional and dynamic: the commands exist as long as this bundle runs, and
 * say so when no cluster is configured instead of disappearing with it.
 */
@Component(service = ClusterCommandsComponent.class, property = {
    "osgi.command.scope=cluster",
    "osgi.command.function=status",
    "osgi.command.function=discovered",
    "osgi.command.function=connect",
    "osgi.command.function=disconnect",
    "osgi.command.function=refresh",
    "osgi.command.function=send"
})
public final class ClusterCommandsComponent {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Cluster cluster;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClusterControl control;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Messenger messenger;

    private final ClusterCommands commands = new ClusterCommands(() -> cluster, () -> control, () -> messenger,
            Clock.systemUTC());

    /** {@code cluster:status}: this node, its members, and every known node's state, backoff and last error. */
    public String status() {
        return commands.status();
    }

    /** {@code cluster:discovered}: the peers of the last refresh, with their port and state. */
    public String discovered() {
        return commands.discovered();
    }

    /** {@code cluster:connect NODE}: connects name@host[:port] now (skipping its backoff) and waits for the answer. */
    public String connect(String node) {
        return commands.connect(node);
    }

    /** {@code cluster:disconnect NODE}: drops the connection to name@host. */
    public String disconnect(String node) {
        return commands.disconnect(node);
    }

    /** {@code cluster:refresh}: refreshes discovery now and prints what it found. */
    public String refresh() {
        return commands.refresh();
    }

    /** {@code cluster:send NODE MAILBOX TEXT...}: sends the words, as UTF-8, to a mailbox on a connected node. */
    public String send(String node, String mailbox, String... words) {
        return commands.send(node, mailbox, words);
    }
}
