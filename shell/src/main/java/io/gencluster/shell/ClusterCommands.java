package io.gencluster.shell;

import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterControl;
import io.gencluster.api.MessagingException;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The operator's commands, as text: each returns what the shell prints, and a command that cannot
 * do what it was asked throws an exception whose message says why (the shell prints it as the
 * command's error). Plain Java: the services come from suppliers, {@code null} when absent.
 */
final class ClusterCommands {

    /**
     * Longest wait for the runtime's answer. The runtime bounds every answer itself (by its connect
     * and discovery timeouts); this only keeps a shell from hanging on a runtime that stopped.
     */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    /** How long a send waits for room in a full send queue before it gives up. */
    static final Duration SEND_WAIT = Duration.ofSeconds(5);
    static final String NO_CLUSTER = "no cluster is running (configuration io.gencluster missing or invalid)";

    private final Supplier<Cluster> cluster;
    private final Supplier<ClusterControl> control;
    private final Supplier<Messenger> messenger;
    private final Supplier<String> transport;
    private final Clock clock;

    ClusterCommands(Supplier<Cluster> cluster, Supplier<ClusterControl> control, Supplier<Messenger> messenger, Clock clock) {
        this(cluster, control, messenger, () -> null, clock);
    }

    /**
     * @param transport the {@code gencluster.dist} property of the Messenger service (null: not
     *     known), which says how text is encoded ({@link TextPayload})
     */
    ClusterCommands(Supplier<Cluster> cluster, Supplier<ClusterControl> control, Supplier<Messenger> messenger,
            Supplier<String> transport, Clock clock) {
        this.cluster = cluster;
        this.control = control;
        this.messenger = messenger;
        this.transport = transport;
        this.clock = clock;
    }

    /** This node, the member count, and a row per known node: state, failures, next attempt, last error. */
    String status() {
        Cluster c = cluster();
        Set<NodeName> members = c.members();
        Map<NodeName, NodeState> nodes = new TreeMap<>(c.nodes());
        Instant now = clock.instant();
        Table table = new Table("NODE", "STATUS", "DISCOVERED", "FAILURES", "NEXT ATTEMPT", "LAST ERROR");
        // beside a connected node the last error is history, not a current fault: said so
        nodes.forEach((node, s) -> table.row(node, status(s.status()), s.discovered() ? "yes" : "no", s.failures(),
                s.nextAttempt().map(at -> "in " + Math.max(0, Duration.between(now, at).toMillis()) + " ms").orElse(null),
                s.lastError().map(e -> s.status() == NodeState.Status.CONNECTED ? "(before it connected) " + e : e).orElse(null)));
        // a node connected to us that the loop has not heard of yet is still a member
        members.stream().filter(m -> !nodes.containsKey(m)).sorted()
                .forEach(m -> table.row(m, status(NodeState.Status.CONNECTED), "no", 0, null, null));
        return "self     " + c.self() + "\n"
                + "members  " + members.size() + " connected\n"
                + "\n" + table.render();
    }

    /** The peers of the last refresh, over all strategies, with the port discovery gave and their state. */
    String discovered() {
        Cluster c = cluster();
        Map<NodeName, NodeState> nodes = c.nodes();
        Table table = new Table("NODE", "PORT", "STATUS");
        new TreeMap<NodeName, Peer>(Map.copyOf(byNode(c.discovered()))).forEach((node, peer) -> {
            NodeState s = nodes.get(node);
            table.row(node, peer.port().isPresent() ? peer.port().getAsInt() : null,
                    s == null ? null : status(s.status()));
        });
        return table.render();
    }

    /** Connects {@code node} ({@code name@host} or {@code name@host:port}) now, and waits for the answer. */
    String connect(String node) {
        Peer peer = parsePeer(node);
        ClusterControl ctl = control();
        long start = System.nanoTime();
        await(ctl.connect(peer), "connect " + peer);
        return "connected " + peer.node() + " (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms)\n";
    }

    /** Drops the connection to {@code node}. */
    String disconnect(String node) {
        NodeName name = parseNode(node);
        Cluster c = cluster();
        if (!c.members().contains(name)) {
            return name + " is not connected\n";
        }
        control().disconnect(name);
        NodeState s = c.nodes().get(name);
        return "disconnected " + name + (s != null && s.discovered()
                ? " (discovery still reports it: it is reconnected after its backoff)\n" : "\n");
    }

    /** Refreshes discovery now, waits for the round to finish, and prints what it discovered. */
    String refresh() {
        ClusterControl ctl = control();
        await(ctl.refresh(), "refresh");
        return "refreshed: " + cluster().discovered().size() + " peer(s) discovered\n\n" + discovered();
    }

    /**
     * Sends {@code words}, joined by single spaces, to {@code mailbox} on {@code node}: as UTF-8, or
     * as an Erlang binary through dist-erlang ({@link TextPayload}). What it says is what the
     * transport promises: the message is queued for the node, not known to be delivered.
     */
    String send(String node, String mailbox, String... words) {
        NodeName name = parseNode(node);
        if (mailbox == null || mailbox.isBlank()) {
            throw new IllegalArgumentException("a mailbox name is needed");
        }
        Messenger m = messenger.get();
        if (m == null) {
            throw new IllegalStateException("no Messenger service: no transport that carries messages is running");
        }
        String encoding = transport.get();
        byte[] payload = TextPayload.encode(String.join(" ", words), encoding);
        try {
            m.send(name, mailbox, payload, SEND_WAIT);
        } catch (MessagingException e) {
            throw new IllegalStateException("not sent to " + name + ": " + e.getMessage(), e);
        }
        return "queued " + payload.length + " bytes (" + TextPayload.describe(encoding) + ") for mailbox " + mailbox + " on " + name
                + "; delivery is not confirmed: a mailbox nobody handles there drops it\n";
    }

    private Cluster cluster() {
        Cluster c = cluster.get();
        if (c == null) {
            throw new IllegalStateException(NO_CLUSTER);
        }
        return c;
    }

    private ClusterControl control() {
        ClusterControl c = control.get();
        if (c == null) {
            throw new IllegalStateException(NO_CLUSTER);
        }
        return c;
    }

    private static void await(CompletionStage<Void> stage, String what) {
        try {
            stage.toCompletableFuture().get(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot " + what + ": " + message(cause), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + ": no answer from the runtime within " + MAX_WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what);
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static Map<NodeName, Peer> byNode(Set<Peer> peers) {
        Map<NodeName, Peer> out = new TreeMap<>();
        peers.forEach(p -> out.merge(p.node(), p, (a, b) -> a.port().isPresent() ? a : b));
        return out;
    }

    static String status(NodeState.Status s) {
        return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Peer parsePeer(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a node is needed: name@host or name@host:port");
        }
        return Peer.parse(text);
    }

    private static NodeName parseNode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a node is needed: name@host");
        }
        return NodeName.parse(text.trim());
    }
}
