package io.gencluster.shell;


import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterControl;
import io.gencluster.api.Messenger;
import io.gencluster.spi.Dist;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code cluster:*} shell commands. Gogo (and Karaf, which runs Gogo commands too) calls the
 * public methods named in {@code osgi.command.function} by reflection, converting the words typed
 * into the parameters, and prints what they return. A command that cannot do what it was asked
 * prints one line saying so, {@code cluster:connect: cannot connect ...: why}, never a Java
 * exception; every parameter is text, so Gogo has nothing to coerce and a bad node name gets the
 * same kind of line. {@code help cluster:<command>} shows each {@link Descriptor}.
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

    /** The Messenger bound now with its transport's name, which says how text is encoded. */
    private record BoundMessenger(Messenger messenger, String transport) {
    }

    private volatile BoundMessenger messenger;

    private final ClusterCommands commands = new ClusterCommands(() -> cluster, () -> control,
            () -> bound().map(BoundMessenger::messenger).orElse(null), () -> bound().map(BoundMessenger::transport).orElse(null),
            Clock.systemUTC());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindMessenger(Messenger m, Map<String, Object> properties) {
        Object transport = properties.get(Dist.TRANSPORT_PROPERTY);
        messenger = new BoundMessenger(m, transport == null ? null : transport.toString());
    }

    void unbindMessenger(Messenger m) {
        BoundMessenger now = messenger;
        if (now != null && now.messenger() == m) {
            messenger = null;
        }
    }

    private Optional<BoundMessenger> bound() {
        return Optional.ofNullable(messenger);
    }

    @Descriptor("this node, its members, and every known node's state, failures, next attempt and last error")
    public String status() {
        return oneLineErrors("status", commands::status);
    }

    @Descriptor("the peers of the last discovery refresh, with the port discovery gave and their state")
    public String discovered() {
        return oneLineErrors("discovered", commands::discovered);
    }

    @Descriptor("connect a node now, skipping its backoff, and wait for the answer")
    public String connect(@Descriptor("the node: name@host or name@host:port") String node) {
        return oneLineErrors("connect", () -> commands.connect(node));
    }

    @Descriptor("drop the connection to a node (discovered nodes come back after their backoff)")
    public String disconnect(@Descriptor("the node: name@host") String node) {
        return oneLineErrors("disconnect", () -> commands.disconnect(node));
    }

    @Descriptor("refresh discovery now and show what it found")
    public String refresh() {
        return oneLineErrors("refresh", commands::refresh);
    }

    @Descriptor("send text to a mailbox on a connected node (as UTF-8, or an Erlang binary through dist-erlang);"
            + " it is queued for the node, not confirmed delivered")
    public String send(@Descriptor("the node: name@host") String node, @Descriptor("the mailbox on that node") String mailbox,
            @Descriptor("the words to send, joined by single spaces") String... words) {
        return oneLineErrors("send", () -> commands.send(node, mailbox, words));
    }

    /** What a command prints when it fails: one line naming the command and why, not a stack or a class name. */
    static String oneLineErrors(String command, Supplier<String> run) {
        try {
            return run.get();
        } catch (RuntimeException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            return "cluster:" + command + ": " + why.replace('\n', ' ') + "\n";
        }
    }
}
