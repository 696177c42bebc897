package io.gencluster.dist.tcp;

import io.gencluster.api.DownReason;
import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.dist.kit.NodeEvents;
import io.gencluster.dist.kit.Transport;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.epmd.EpmdRegistrar;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The TCP transport: listens for peers, dials peers, authenticates both ways with the shared
 * cookie ({@link Handshake}), keeps one connection per node pair, ticks idle connections and
 * declares silent ones down. Plain Java, usable without OSGi: {@link #start()}, then
 * {@link #close()}. This class wires the parts, each of which logs under this class's name.
 *
 * <p>Threads (all daemon, named after the node): one selector thread ({@code gencluster-tcp-io-})
 * does every accept, connect, read and write, without blocking, and drives every timer (ticks,
 * silence, handshake and connect deadlines) from its select timeout and the injected clock
 * ({@link SelectorLoop}); one event thread ({@code gencluster-tcp-events-}) calls listeners, so a
 * slow listener never stalls I/O ({@link NodeEvents}); a small pool ({@code gencluster-tcp-resolve-})
 * resolves host names and asks EPMD for ports, which may block (peers given by address and port
 * skip it; {@link Dialer}). A node with hundreds of connections therefore needs no more threads
 * than one with a single connection (mailbox threads aside). {@link #connect} stages complete on
 * the event thread too, after the NODE_UP they led to. A mailbox's thread whose handler sent a
 * message polls for the answer and runs the selector's turns itself meanwhile, while the selector
 * thread steps aside ({@link SelectorLead}): the answer is read and delivered on one thread, with
 * no hand-off.
 *
 * <p>Simultaneous connects: when both nodes dial each other at once, the connection opened by the
 * node whose name orders first ({@link NodeName#compareTo}) is kept and the other refused, on both
 * sides alike; the refused dialler's {@link #connect} still succeeds once the kept connection is up.
 * A peer claiming a name that is already connected is refused: it never evicts the live one
 * ({@link Admission}). Nothing a peer does before it proved the cookie (and with TLS, its
 * certificate) touches a connection, a dial or an event ({@link Authenticator}).
 */
public final class TcpDist extends Transport {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());
    private static final int MAX_EVENTS_QUEUED = 10_000;

    private final TcpDistSettings settings;
    private final PoolThreads threads;
    private final ConnectionTable table = new ConnectionTable();
    private final IoThread io;
    private final OpenConnections open;
    private final OutboundFrames outbound;
    private final IncomingConnections incoming;
    private final Dialer dialer;
    private final Shutdown shutdown;
    private final SelectorLoop loop;
    private final BusyPoll busyPoll;
    private ScheduledExecutorService epmdTimer;
    EpmdRegistrar epmd; // null without EPMD; tests ask it whether this node serves the port mapper

    public TcpDist(TcpDistSettings settings) {
        this(settings, new IoThread(settings.self), new PoolThreads(settings.self.toString()));
    }

    private TcpDist(TcpDistSettings settings, IoThread io, PoolThreads threads) {
        // a mailbox that makes room wakes the selector: a connection parked on it is retried at once
        super(settings.self, new NodeEvents(threads.named("events"), MAX_EVENTS_QUEUED, LOG),
                new Mailboxes(settings.mailboxQueue, settings.mailboxQueueBytes, settings.self.toString(), io::wakeup,
                        settings.busyPollNanos, io.lead));
        this.settings = settings;
        this.io = io;
        this.threads = threads;
        NodeEvents events = events();
        Mailboxes mailboxes = mailboxes();
        this.open = new OpenConnections(table, events, settings.clock);
        DialOutcomes dials = new DialOutcomes(table, events, open);
        this.outbound = new OutboundFrames(settings, open);
        ConnectionFailures failures = new ConnectionFailures(settings, table, open, dials, outbound);
        outbound.reportTo(failures);
        // bounded well inside the silence window, so that waiting never looks like a dead peer
        long mailboxWaitMs = Math.min(1000, settings.tickTimeout.toMillis() / 4);
        MailboxDelivery delivery = new MailboxDelivery(mailboxes, settings.clock, mailboxWaitMs);
        MemberExchange members = new MemberExchange(settings, table, outbound, failures);
        Admission admission = new Admission(settings, table, events, dials, open, outbound, members);
        Handshake handshake = new Handshake(settings.self, settings.cookie, settings.random);
        Authenticator authenticator = new Authenticator(settings);
        TlsSessions tls = new TlsSessions(settings, io, failures);
        this.incoming = new IncomingConnections(settings, io, open, authenticator, handshake, tls, failures.refusals);
        HandshakeFrames handshakes = new HandshakeFrames(handshake, incoming, outbound, authenticator, admission);
        this.busyPoll = new BusyPoll(settings.busyPollNanos);
        InboundFrames frames = new InboundFrames(settings, handshakes, delivery, members, busyPoll);
        tls.resumeThrough(frames);
        this.dialer = new Dialer(settings, io, table, dials, open, frames, handshakes, tls);
        members.dialVia(dialer);
        Liveness liveness = new Liveness(settings, open, outbound, failures, dials);
        this.shutdown = new Shutdown(settings.self, io, table, open, dials, incoming, dialer, mailboxes, events, threads);
        this.loop = new SelectorLoop(settings, io, incoming, dialer, frames, outbound, delivery, dials, liveness, failures, shutdown, busyPoll);
        io.lead.turns(loop::assistTurn);
    }

    @Override
    public void start() throws IOException {
        synchronized (table) {
            io.open();
            ServerSocketChannel server;
            try {
                server = incoming.bind();
            } catch (IOException | RuntimeException e) {
                io.close();
                throw e;
            }
            dialer.start(threads);
            io.start(loop);
            io.post(Handshake::prepare); // while the framework starts the rest, not in the first handshake
            LOG.log(Level.INFO, "{0} listening on {1}", self(), server.socket().getLocalSocketAddress());
            if (settings.epmdRegister) {
                epmdTimer = Executors.newSingleThreadScheduledExecutor(threads.named("epmd"));
                // an embedded port mapper answers where this transport listens: other hosts list and find
                // its nodes, as with EPMD, unless the node is bound to loopback only
                InetAddress mapperAddress = server.socket().getInetAddress().isLoopbackAddress()
                        ? InetAddress.getLoopbackAddress() : null;
                epmd = EpmdRegistrar.genClusterNode(self().name(), port(), settings.epmdPort, settings.epmdEmbedded, mapperAddress, epmdTimer);
                epmd.start();
            }
        }
    }

    /** {@code tcp}: this project's own protocol; the runtime does not dial peers discovered speaking another. */
    @Override
    public java.util.Optional<String> transport() {
        return java.util.Optional.of("tcp");
    }

    @Override
    public int port() {
        return incoming.port();
    }

    /** A mailbox's name and its UTF-8 bytes. */
    private record MailboxName(String name, byte[] bytes) {
    }

    private volatile MailboxName lastMailboxName;

    @Override
    public void send(NodeName node, String mailbox, byte[] payload, Duration maxWait) throws MessagingException {
        MailboxName named = lastMailboxName;
        if (named == null || !named.name.equals(mailbox)) {
            named = new MailboxName(mailbox, mailbox.getBytes(StandardCharsets.UTF_8));
            lastMailboxName = named; // a sender mostly sends to one mailbox: encode its name once
        }
        byte[] box = named.bytes;
        if (box.length == 0 || box.length > 255) {
            throw new MessagingException("invalid mailbox name '" + mailbox + "': 1-255 bytes of UTF-8");
        }
        long size = 2L + box.length + payload.length; // long: no overflow near Integer.MAX_VALUE
        if (size + 1 > settings.maxFrameBytes) {
            throw new MessagingException("message of " + payload.length + " bytes to " + node + " exceeds max.frame.bytes ("
                    + settings.maxFrameBytes + ")");
        }
        Connection c = table.connections.get(node); // no transport-wide lock per message
        if (c == null) {
            throw new MessagingException("not connected to " + node);
        }
        try {
            // the frame's head is written straight into the queue, the payload copied once after it
            // on the selector thread (an inline mailbox's handler) no wait: that thread is the one that makes room
            boolean onIoThread = io.isCurrent();
            busyPoll.noteSend();
            Mailboxes.sending(); // from a mailbox's thread: it reads the answer itself, polling for it
            int queued = c.queue.enqueueData(box, payload, onIoThread ? 0 : maxWait.toNanos());
            if (queued < 0) {
                throw new MessagingException("send queue to " + node + " stayed full (" + settings.sendQueueBytes
                        + " bytes) for " + (onIoThread ? "0 ms (sent by an inline handler, which never waits)" : maxWait.toMillis() + " ms"));
            }
            if (queued > 0 && onIoThread) {
                outbound.writeOut(c);
            } else if (queued > 0) {
                io.post(() -> outbound.writeOut(c));
            }
        } catch (IOException e) {
            throw new MessagingException("not sent to " + node + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted while waiting for room in the send queue to " + node);
        }
    }

    @Override
    public Set<NodeName> members() {
        return table.members();
    }

    /** Turns of the selector that mailbox threads ran and that found something ready (tests). */
    long assistedTurns() {
        return io.lead.assistedTurns();
    }

    /** The live connection to {@code node}, or null (tests look into its queue). */
    Connection connectionTo(NodeName node) {
        return table.connectionTo(node);
    }

    @Override
    public void disconnect(NodeName node) {
        Connection c = table.connectionTo(node);
        if (c != null) {
            open.lost(c, DownReason.DISCONNECTED, "disconnected by " + self());
        }
    }

    @Override
    public CompletionStage<Void> connect(Peer peer, Duration timeout) {
        return dialer.connect(peer, timeout);
    }

    /** Closes every connection (those up reported down with {@link DownReason#SHUTDOWN}) and stops every thread. */
    @Override
    public void close() {
        if (!shutdown.stopLoop()) {
            return;
        }
        if (epmd != null) {
            epmd.close();
            epmdTimer.shutdownNow();
        }
        shutdown.stopThreads(epmdTimer);
    }
}
