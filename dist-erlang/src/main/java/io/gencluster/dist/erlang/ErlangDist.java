package io.gencluster.dist.erlang;

import io.gencluster.api.DownReason;
import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.dist.kit.NodeEvents;
import io.gencluster.dist.kit.RefusalLog;
import io.gencluster.dist.kit.Transport;
import io.gencluster.epmd.EpmdRegistrar;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlPid;
import io.gencluster.erlang.ErlangMessenger;
import io.gencluster.erlang.Term;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * A node of an Erlang cluster: listens for Erlang nodes, dials them, keeps one connection per
 * node with ticks, and carries messages between Erlang processes and this node's mailboxes.
 * Plain Java; the OSGi component only builds it from configuration. This class wires the parts:
 *
 * <ul>
 *   <li>{@link Acceptor} listens, {@link Dialer} dials, each within its {@link HandshakeSlots};
 *       both run a {@link Handshake} through the {@link Authenticator}, the only source of
 *       authenticated peers, which alone {@link Admission} lets in;
 *   <li>{@link Connections} holds them, {@link NetTicker} ticks them and drops silent ones;
 *   <li>refused handshakes and messages dropped for lack of a mailbox are logged summarised
 *       ({@link io.gencluster.dist.kit.RefusalLog}, {@link DroppedMessages});
 *   <li>{@link Inbound} routes what arrives, {@link Outbound} frames what leaves, to and from the
 *       pids of {@link MailboxPids};
 *   <li>{@link NodeEvents} tells listeners, {@link ConnectResults} answers connect callers.
 * </ul>
 *
 * <p>Threads: one accepting, handshake threads (bounded by the slots of both roles), a reader and a
 * writer per connection, one ticker (ticks, silence, log summaries), one timer (deadlines, EPMD
 * retries, connect timeouts), one event thread for listeners and connect results, and one per
 * mailbox. All end in {@link #close()}.
 */
public final class ErlangDist extends Transport implements ErlangMessenger {

    private static final System.Logger LOG = System.getLogger(ErlangDist.class.getName());
    /** Events and connect results queued at most; an event past it is dropped and logged, as in dist-tcp. */
    private static final int MAX_EVENTS_QUEUED = 10_000;
    private static final Duration EVENTS_STOP_WAIT = Duration.ofSeconds(2);

    private final ErlangDistSettings s;
    private final ErlAtom selfAtom;
    private final ScheduledExecutorService timer;
    private final ScheduledExecutorService ticker;
    private final RefusalLog refusals = Acceptor.refusalLog();
    private final DroppedMessages dropped = new DroppedMessages(LOG, 10_000, System::nanoTime);
    private final OutstandingChallenges challenges = new OutstandingChallenges();
    private final MailboxPids pids;
    private final Connections connections;
    private final DialAttempts dials = new DialAttempts();
    private final ConnectResults results;
    private final HandshakeSlots slots;
    private final Authenticator authenticator;
    private final Admission admission;
    private final Acceptor acceptor;
    private final Dialer dialer;
    private final Outbound outbound;
    private EpmdRegistrar epmd;
    private volatile long creation;
    private boolean closed; // guarded by this

    public ErlangDist(ErlangDistSettings settings) {
        super(settings.self, new NodeEvents(daemons("events", settings.self), MAX_EVENTS_QUEUED, LOG),
                new Mailboxes(settings.mailboxQueue, settings.mailboxQueueBytes, settings.self.toString()));
        this.s = settings;
        NodeEvents events = events();
        this.selfAtom = ErlAtom.of(settings.self.toString());
        this.timer = Executors.newSingleThreadScheduledExecutor(daemons("timer", settings.self));
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemons("tick", settings.self));
        this.slots = new HandshakeSlots(settings.handshakesInboundMax, settings.handshakesOutboundMax,
                settings.handshakesPerAddressMax, settings.self.toString());
        this.authenticator = new Authenticator(settings.handshakeTimeout, timer);
        this.pids = new MailboxPids(selfAtom, () -> creation);
        this.connections = new Connections(new Inbound(pids, mailboxes(), dropped), events);
        this.results = new ConnectResults(events, timer);
        this.admission = new Admission(settings, connections, dials, results, events);
        this.acceptor = new Acceptor(settings, slots, authenticator, admission, refusals);
        this.dialer = new Dialer(settings, connections, dials, results, slots, authenticator, admission, timer);
        this.outbound = new Outbound(settings, connections, pids);
    }

    /** Makes daemon threads named {@code gencluster-erlang-<role>-<node>}. */
    private static ThreadFactory daemons(String role, NodeName self) {
        return r -> {
            Thread t = new Thread(r, "gencluster-erlang-" + role + "-" + self);
            t.setDaemon(true);
            return t;
        };
    }

    /** Listens, registers with EPMD (when configured) and starts ticking. */
    @Override
    public synchronized void start() throws IOException {
        NodeName self = self();
        acceptor.bind();
        long c = 0;
        if (s.epmdRegister) {
            epmd = EpmdRegistrar.erlangNode(self.name(), acceptor.port(), s.hidden, s.epmdPort, timer);
            c = epmd.register();
        }
        // EPMD's creation when registered (Erlang nodes do the same); else any non-zero one
        creation = c != 0 ? c : 1 + (s.random.nextLong() & 0x7ffffffeL);
        authenticator.speakAs(new Handshake(self, s.cookie, DistFlags.ours(!s.hidden), creation, s.random, challenges));
        acceptor.start();
        new NetTicker(connections, s.netTickTime, refusals::flush, dropped::flush).start(ticker);
        LOG.log(Level.INFO, "{0} listening on {1}:{2} ({3}, {4}, net tick time {5} s)", self, s.bindAddress,
                String.valueOf(acceptor.port()), s.hidden ? "hidden" : "visible", NameMode.of(self).option(),
                String.valueOf(s.netTickTime.toSeconds()));
    }

    /** {@code erlang}: Erlang's distribution protocol; the runtime does not dial peers discovered speaking another. */
    @Override
    public java.util.Optional<String> transport() {
        return java.util.Optional.of("erlang");
    }

    @Override
    public int port() {
        return acceptor.port();
    }

    @Override
    public Set<NodeName> members() {
        return connections.members();
    }

    @Override
    public CompletionStage<Void> connect(Peer peer, Duration timeout) {
        return dialer.connect(peer, timeout);
    }

    @Override
    public void disconnect(NodeName node) {
        Connection c = connections.get(node);
        if (c != null) {
            c.close(DownReason.DISCONNECTED, "disconnected by " + self());
        }
    }

    /** The pid of mailbox {@code name} on this node; stable while the transport runs. */
    @Override
    public ErlPid pid(String name) {
        return pids.pid(name);
    }

    @Override
    public ErlAtom node() {
        return selfAtom;
    }

    /** {@code {name, node} ! payload}: the payload is one encoded term; sent from the pid of no mailbox. */
    @Override
    public void send(NodeName node, String registeredName, byte[] payload, Duration maxWait) throws MessagingException {
        outbound.send(node, registeredName, payload, maxWait);
    }

    @Override
    public void send(NodeName node, String registeredName, Term message, String fromMailbox, Duration maxWait) throws MessagingException {
        outbound.send(node, registeredName, message, fromMailbox, maxWait);
    }

    @Override
    public void send(ErlPid to, Term message, Duration maxWait) throws MessagingException {
        outbound.send(to, message, maxWait);
    }

    /**
     * Stops listening and dialling, closes every connection (each node reported down with
     * {@link DownReason#SHUTDOWN}), fails the connect calls still waiting, and stops every thread.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            connections.stopAdmitting();
        }
        acceptor.close();
        if (epmd != null) {
            epmd.close();
        }
        dials.cancelAll();
        connections.closeAll(self() + " is shutting down");
        results.failAll(new IOException("the transport of " + self() + " closed"));
        slots.close();
        ticker.shutdownNow();
        timer.shutdownNow();
        events().close(EVENTS_STOP_WAIT);
        mailboxes().close();
    }
}
