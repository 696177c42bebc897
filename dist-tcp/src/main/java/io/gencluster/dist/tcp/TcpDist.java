package io.gencluster.dist.tcp;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.DownReason;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.MessagingException;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.spi.Dist;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The TCP transport: listens for peers, dials peers, authenticates both ways with the shared
 * cookie ({@link Handshake}), keeps one connection per node pair, ticks idle connections and
 * declares silent ones down. Plain Java, usable without OSGi: {@link #start()}, then
 * {@link #close()}.
 *
 * <p>Threads (all daemon, named after the node): one selector thread ({@code gencluster-tcp-io-})
 * does every accept, connect, read and write, without blocking, and drives every timer (ticks,
 * silence, handshake and connect deadlines) from its select timeout and the injected clock; one
 * event thread ({@code gencluster-tcp-events-}) calls listeners, so a slow listener never stalls
 * I/O; a small pool ({@code gencluster-tcp-resolve-}) resolves host names and asks EPMD for ports,
 * which may block (peers given by address and port skip it). A node with hundreds of connections
 * therefore needs no more threads than one with a single connection (mailbox threads aside).
 * {@link #connect} stages complete on the event thread too, after the NODE_UP they led to.
 *
 * <p>Simultaneous connects: when both nodes dial each other at once, the connection opened by the
 * node whose name orders first ({@link NodeName#compareTo}) is kept and the other refused, on both
 * sides alike; the refused dialler's {@link #connect} still succeeds once the kept connection is up.
 * A peer claiming a name that is already connected is refused: it never evicts the live one.
 */
public final class TcpDist implements Dist, Messenger, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());
    private static final int MAX_RESOLVERS = 4;
    private static final int MAX_RESOLVES_QUEUED = 1024;
    private static final int MAX_EVENTS_QUEUED = 10_000;
    private static final long STOP_WAIT_MS = 5_000;
    private static final long BUSY_LOG_INTERVAL_MS = 10_000;
    private static final long PARKED_RETRY_MS = 5;
    private static final long REFUSE_LINGER_MS = 1_000;
    private static final byte[] EMPTY = new byte[0];

    private final TcpDistSettings settings;
    private final NodeName self;
    private final Clock clock;
    private final Handshake handshake;
    private final String threadTag;
    private final CopyOnWriteArrayList<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final Mailboxes mailboxes;
    private final java.util.Set<Thread> poolThreads = ConcurrentHashMap.newKeySet(); // for close() to join
    private final long mailboxWaitMs;
    private final long sweepPeriodMs;
    private final byte[] tickFrame = FrameCodec.encode(FrameCodec.TICK, EMPTY);

    // guarded by this
    // changed under this lock, with the dials; concurrent so that a sender's lookup needs no lock
    private final Map<NodeName, Connection> connections = new ConcurrentHashMap<>();
    private final Map<NodeName, Dial> dialling = new HashMap<>();
    private boolean closed;

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private Selector selector;
    private ServerSocketChannel server;
    private volatile int boundPort;
    private Thread io;
    private volatile boolean stopping;
    private ThreadPoolExecutor events;
    private ThreadPoolExecutor resolver;
    private ScheduledExecutorService epmdTimer;
    private EpmdRegistrar epmd;

    // selector thread only
    private int handshakesInProgress;
    private long lastBusyLog = Long.MIN_VALUE / 2;
    private final List<Connection> parked = new ArrayList<>();
    private long nextSweep;

    public TcpDist(TcpDistSettings settings) {
        this.settings = settings;
        this.self = settings.self;
        this.clock = settings.clock;
        this.handshake = new Handshake(self, settings.cookie, settings.random);
        this.threadTag = self.toString();
        this.mailboxes = new Mailboxes(settings.mailboxQueue, threadTag, () -> {
            Selector s = selector;
            if (s != null) {
                s.wakeup(); // a connection parked on a full mailbox is retried at once
            }
        });
        // bounded well inside the silence window, so that waiting never looks like a dead peer
        this.mailboxWaitMs = Math.min(1000, settings.tickTimeout.toMillis() / 4);
        this.sweepPeriodMs = Math.max(5, Math.min(100, settings.tick.toMillis() / 4));
    }

    /** Binds the listening socket and starts the threads. */
    public synchronized void start() throws IOException {
        selector = Selector.open();
        try {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(InetAddress.getByName(settings.bindAddress), settings.port), 128);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            closeQuietly(selector);
            throw e;
        }
        boundPort = server.socket().getLocalPort();
        events = pool("events", 1, MAX_EVENTS_QUEUED);
        resolver = pool("resolve", MAX_RESOLVERS, MAX_RESOLVES_QUEUED);
        io = new Thread(this::run, "gencluster-tcp-io-" + threadTag);
        io.setDaemon(true);
        io.start();
        LOG.log(Level.INFO, "{0} listening on {1}", self, server.socket().getLocalSocketAddress());
        if (settings.epmdRegister) {
            epmdTimer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "gencluster-tcp-epmd-" + threadTag));
            // an embedded port mapper answers where this transport listens: other hosts list and find
            // its nodes, as with EPMD, unless the node is bound to loopback only
            InetAddress mapperAddress = server.socket().getInetAddress().isLoopbackAddress()
                    ? InetAddress.getLoopbackAddress() : null;
            epmd = new EpmdRegistrar(self.name(), port(), settings.epmdPort, settings.epmdEmbedded, mapperAddress, epmdTimer);
            epmd.start();
        }
    }

    /** Whether this node serves the embedded port mapper (for tests and diagnostics). */
    public boolean servesPortMapper() {
        return epmd != null && epmd.servesPortMapper();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return boundPort;
    }

    @Override
    public NodeName self() {
        return self;
    }

    @Override
    public synchronized Set<NodeName> members() {
        return Set.copyOf(connections.keySet());
    }

    @Override
    public void addListener(ClusterListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ClusterListener listener) {
        listeners.remove(listener);
    }

    /** Delivers messages for {@code mailbox} to {@code handler} from now on. */
    public void addMailbox(String mailbox, MessageHandler handler) {
        mailboxes.add(mailbox, handler);
    }

    /** Stops delivering to {@code handler}, if it still serves {@code mailbox}. */
    public void removeMailbox(String mailbox, MessageHandler handler) {
        mailboxes.remove(mailbox, handler);
    }

    // ---------------------------------------------------------------- sending

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
        int size = 2 + box.length + payload.length;
        if (size + 1 > settings.maxFrameBytes) {
            throw new MessagingException("message of " + payload.length + " bytes to " + node + " exceeds max.frame.bytes ("
                    + settings.maxFrameBytes + ")");
        }
        Connection c = connections.get(node); // no transport-wide lock per message
        if (c == null) {
            throw new MessagingException("not connected to " + node);
        }
        try {
            // the frame's head is written straight into the queue, the payload copied once after it
            int queued = c.enqueueData(box, payload, maxWait.toNanos());
            if (queued < 0) {
                throw new MessagingException("send queue to " + node + " stayed full (" + settings.sendQueueBytes
                        + " bytes) for " + maxWait.toMillis() + " ms");
            }
            if (queued > 0) {
                post(() -> writeOut(c));
            }
        } catch (IOException e) {
            throw new MessagingException("not sent to " + node + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted while waiting for room in the send queue to " + node);
        }
    }

    // ---------------------------------------------------------------- dialling

    @Override
    public CompletionStage<Void> connect(Peer peer, Duration timeout) {
        NodeName node = peer.node();
        if (node.equals(self)) {
            return CompletableFuture.failedFuture(new IOException("will not connect " + self + " to itself"));
        }
        if (peer.port().isEmpty() && settings.peerPort == 0 && !settings.epmdRegister) {
            return CompletableFuture.failedFuture(new IOException("no port known for " + node
                    + "; set peer.port (discovery gave none and EPMD is off)"));
        }
        if (io == null) {
            return CompletableFuture.failedFuture(new IOException("transport of " + self + " is not started"));
        }
        long timeoutMs = Math.max(1, timeout.toMillis());
        Dial.Waiter waiter = new Dial.Waiter(clock.millis() + timeoutMs, timeoutMs);
        Dial dial;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IOException("transport of " + self + " is closed"));
            }
            if (connections.containsKey(node)) {
                return CompletableFuture.completedFuture(null);
            }
            dial = dialling.get(node);
            if (dial != null) {
                dial.waiters.add(waiter);
                post(() -> { }); // a select timeout computed before this waiter may be too long
                return waiter.future.copy();
            }
            dial = new Dial(node, peer.port().orElse(0));
            dial.waiters.add(waiter);
            dialling.put(node, dial);
        }
        Dial d = dial;
        if (d.knownPort != 0 && isAddressLiteral(node.host())) {
            // nothing to look up, so nothing that could block: straight to the selector thread
            InetSocketAddress address = new InetSocketAddress(node.host(), d.knownPort);
            post(() -> open(d, address));
            return waiter.future.copy();
        }
        try {
            resolver.execute(() -> resolve(d));
        } catch (RejectedExecutionException e) {
            failDial(d, "too many connects in progress; " + node + " not dialled");
        }
        post(() -> { });
        return waiter.future.copy();
    }

    /** An IPv4 or IPv6 address written out, which {@link InetSocketAddress} parses without asking DNS. */
    static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /** On a resolver thread: the port (EPMD may be asked) and the address, both of which may block. */
    private void resolve(Dial d) {
        NodeName node = d.node;
        int port = d.knownPort;
        try {
            if (port == 0) {
                port = portOf(node);
            }
            InetSocketAddress address = new InetSocketAddress(node.host(), port);
            if (address.isUnresolved()) {
                throw new IOException("host " + node.host() + " does not resolve");
            }
            post(() -> open(d, address));
        } catch (IOException | RuntimeException e) {
            String where = port == 0 ? "" : " at " + node.host() + ":" + port;
            failDial(d, "cannot connect to " + node + where + ": " + message(e));
        }
    }

    /**
     * A peer without a known port: the port its host's port mapper gives for it (PORT_PLEASE2);
     * where that host has no port mapper, or it does not know the node, {@code peer.port}: one
     * port shared by every node, as in Kubernetes, where a pod has no port mapper to ask.
     */
    private int portOf(NodeName node) throws IOException {
        if (!settings.epmdRegister) {
            return settings.peerPort;
        }
        io.gencluster.epmd.NodeEntry e;
        try {
            e = new io.gencluster.epmd.EpmdClient(node.host(), settings.epmdPort, settings.handshakeTimeout)
                    .portPlease(node.name());
        } catch (io.gencluster.epmd.NoEpmdException noPortMapper) {
            if (settings.peerPort == 0) {
                throw noPortMapper;
            }
            return settings.peerPort;
        }
        if (e != null) {
            return e.port;
        }
        if (settings.peerPort == 0) {
            throw new IOException("EPMD on " + node.host() + ":" + settings.epmdPort + " does not know " + node.name()
                    + " and peer.port is 0");
        }
        return settings.peerPort;
    }

    /** Selector thread: opens the socket of a dial. */
    private void open(Dial d, InetSocketAddress address) {
        synchronized (this) {
            if (d.finished) {
                return;
            }
            if (connections.containsKey(d.node)) {
                succeed(d);
                return;
            }
        }
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            String where = d.node.host() + ":" + address.getPort();
            Connection c = new Connection(channel, true, where, settings.sendQueueBytes, clock);
            c.peer = d.node;
            c.dial = d;
            c.deadline = Long.MAX_VALUE; // until the socket connects, the dial's waiters bound it
            d.attempt = c;
            open.add(c);
            boolean connected = channel.connect(address);
            c.key = channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, c);
            if (connected) {
                connected(c);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            failDial(d, "cannot connect to " + d.node + " at " + d.node.host() + ":" + address.getPort() + ": " + message(e));
        }
    }

    private void connected(Connection c) throws IOException {
        c.deadline = clock.millis() + settings.handshakeTimeout.toMillis();
        if (settings.tls != null) {
            c.link = TlsLink.client(c.channel, settings.tls, c.peer.host(), c.channel.socket().getPort(), settings.tlsVerifyHostname);
            c.state = Connection.State.TLS;
            tls(c);
        } else {
            c.link = Link.plain(c.channel);
            hello(c);
        }
        interest(c);
    }

    private void hello(Connection c) throws IOException {
        c.state = Connection.State.HANDSHAKE;
        c.initiator = handshake.new Initiator(c.peer);
        send(c, c.initiator.hello(port()));
    }

    /** Completes every waiter of a dial whose node is now connected. Caller holds the lock. */
    private void succeed(Dial d) {
        d.finished = true;
        dialling.remove(d.node, d);
        for (Dial.Waiter w : d.waiters) {
            settle(w, null);
        }
        d.waiters.clear();
    }

    /**
     * Completes a connect on the event thread, like listener calls: the caller's callbacks run
     * neither under this transport's lock nor on the selector thread, and a node's NODE_UP is
     * delivered before the connect that brought it up completes.
     */
    private void settle(Dial.Waiter w, Throwable error) {
        Runnable outcome = () -> {
            if (error == null) {
                w.future.complete(null);
            } else {
                w.future.completeExceptionally(error);
            }
        };
        try {
            events.execute(outcome);
        } catch (RejectedExecutionException e) {
            outcome.run(); // the event queue is full or stopped: completing late would break the timeout promise
        }
    }

    private void failDial(Dial d, String why) {
        Connection attempt;
        synchronized (this) {
            if (d.finished) {
                return;
            }
            d.finished = true;
            dialling.remove(d.node, d);
            IOException e = new IOException(why);
            for (Dial.Waiter w : d.waiters) {
                settle(w, e);
            }
            d.waiters.clear();
            attempt = d.attempt;
        }
        if (attempt != null && !attempt.isClosed() && !attempt.closingWhenFlushed()) {
            discard(attempt, why);
        }
    }

    /** Expires the waiters past their deadline; a dial nobody waits for any more is abandoned. */
    private void expireDials(long now) {
        List<Connection> abandoned = new ArrayList<>();
        synchronized (this) {
            if (dialling.isEmpty()) {
                return;
            }
            for (Dial d : List.copyOf(dialling.values())) {
                d.waiters.removeIf(w -> {
                    if (now < w.deadline) {
                        return false;
                    }
                    settle(w, new TimeoutException("connect to " + d.node + " timed out after "
                            + w.timeoutMillis + " ms" + (d.waitingFor == null ? "" : " (" + d.waitingFor + ")")));
                    return true;
                });
                if (d.waiters.isEmpty()) {
                    d.finished = true;
                    dialling.remove(d.node, d);
                    if (d.attempt != null) {
                        abandoned.add(d.attempt);
                    }
                }
            }
        }
        for (Connection c : abandoned) {
            discard(c, "connect timed out");
        }
    }

    private synchronized long nextDialDeadline() {
        long next = Long.MAX_VALUE;
        for (Dial d : dialling.values()) {
            for (Dial.Waiter w : d.waiters) {
                next = Math.min(next, w.deadline);
            }
        }
        return next;
    }

    // ---------------------------------------------------------------- the selector loop

    private void post(Runnable task) {
        tasks.add(task);
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
    }

    private void run() {
        try {
            nextSweep = clock.millis() + sweepPeriodMs;
            while (!stopping) {
                long now = clock.millis();
                long until = Math.min(nextSweep, nextDialDeadline());
                if (!parked.isEmpty()) {
                    until = Math.min(until, now + PARKED_RETRY_MS);
                }
                long wait = until - now;
                if (wait > 0) {
                    selector.select(wait);
                } else {
                    selector.selectNow();
                }
                Runnable task;
                while (!stopping && (task = tasks.poll()) != null) {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        LOG.log(Level.ERROR, "task on the selector thread of " + self + " failed; going on", e);
                    }
                }
                now = clock.millis();
                if (!parked.isEmpty()) {
                    // before any connection reads on: room made in a full mailbox goes to those already waiting
                    retryParked(now);
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    ready(key);
                }
                selector.selectedKeys().clear();
                now = clock.millis();
                expireDials(now);
                if (now >= nextSweep) {
                    sweep(now);
                    nextSweep = now + sweepPeriodMs;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(Level.ERROR, "selector loop of " + self + " failed; closing every connection", e);
        } finally {
            shutdownOnLoop();
        }
    }

    private void ready(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        Connection c = (Connection) key.attachment();
        if (c == null) {
            acceptAll();
            return;
        }
        try {
            if (key.isConnectable()) {
                c.channel.finishConnect();
                connected(c);
            } else if (c.state == Connection.State.TLS) {
                tls(c);
            } else {
                if (key.isReadable()) {
                    readFrames(c);
                }
                if (key.isValid() && key.isWritable()) {
                    writeOut(c);
                }
            }
            interest(c);
        } catch (IOException | RuntimeException e) {
            failed(c, e);
        }
    }

    private void interest(Connection c) {
        SelectionKey key = c.key;
        if (key == null || !key.isValid() || c.isClosed()) {
            return;
        }
        int ops;
        if (c.state == Connection.State.CONNECTING) {
            ops = SelectionKey.OP_CONNECT;
        } else {
            ops = !c.parked && !c.closingWhenFlushed() ? SelectionKey.OP_READ : 0;
            if (!c.idleForWrites()) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private void acceptAll() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                LOG.log(Level.ERROR, "accepting connections on port " + port() + " failed", e);
                return;
            }
            if (channel == null) {
                return;
            }
            long now = clock.millis();
            String remote = remote(channel);
            if (handshakesInProgress >= settings.maxHandshakes) {
                closeQuietly(channel);
                if (now - lastBusyLog > BUSY_LOG_INTERVAL_MS) {
                    lastBusyLog = now;
                    LOG.log(Level.WARNING, "{0}: {1,number,#} handshakes already in progress (max.handshakes); closing new connections such as {2}",
                            self, settings.maxHandshakes, remote);
                }
                continue;
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(channel, false, remote, settings.sendQueueBytes, clock);
                c.deadline = now + settings.handshakeTimeout.toMillis();
                c.acceptor = handshake.new Acceptor(initiator -> admitInitiator(c, initiator), port());
                if (settings.tls != null) {
                    c.link = TlsLink.server(channel, settings.tls);
                    c.state = Connection.State.TLS;
                } else {
                    c.link = Link.plain(channel);
                }
                handshakesInProgress++;
                c.countedHandshake = true;
                open.add(c);
                c.key = channel.register(selector, SelectionKey.OP_READ, c);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                LOG.log(Level.WARNING, "connection from {0} closed at once: {1}", remote, message(e));
            }
        }
    }

    private void tls(Connection c) throws IOException {
        try {
            if (!c.link.handshake()) {
                return;
            }
        } catch (IOException e) {
            throw c.initiated ? TlsLink.dialFailure(e, settings.tlsVerifyHostname ? c.peer.host() : null) : TlsLink.refusal(e);
        }
        if (c.initiated) {
            hello(c);
        } else {
            c.state = Connection.State.HANDSHAKE;
        }
        readFrames(c); // the peer's first frame may have come with its last TLS record
    }

    private void readFrames(Connection c) throws IOException {
        long now = clock.millis(); // once per read, not per frame: a read may hold hundreds
        c.drained = false; // readable (or resumed): read at least once
        boolean read = false;
        try {
            while (!c.isClosed() && !c.parked && !c.closingWhenFlushed()) {
                FrameCodec.Frame f = c.nextFrame(c.state == Connection.State.UP ? settings.maxFrameBytes : FrameCodec.MAX_HANDSHAKE_FRAME);
                if (f == null) {
                    if (c.eof) {
                        throw new EOFException("closed by peer");
                    }
                    return;
                }
                if (!read) {
                    read = true;
                    c.lastRead = now; // a volatile write: once per read, not once per frame
                }
                if (c.state == Connection.State.UP) {
                    received(c, f);
                } else if (c.initiated) {
                    byte[] next = c.initiator.onFrame(f);
                    if (next != null) {
                        send(c, next);
                    } else if (c.initiator.done) {
                        c.peerListenPort = c.initiator.acceptorPort;
                        up(c, null);
                    }
                } else {
                    byte[] next = c.acceptor.onFrame(f);
                    if (next != null) {
                        c.peer = c.acceptor.initiator();
                        send(c, next);
                    } else if (c.acceptor.accepted != null) {
                        c.peer = c.acceptor.accepted.initiator;
                        c.peerListenPort = c.acceptor.accepted.listenPort;
                        admit(c.peer); // the rules again: a connection may have come up, or a dial begun, since HELLO
                        // registered before ACCEPT goes out, so the initiator never sees the pair connected before this side does
                        up(c, FrameCodec.encode(FrameCodec.ACCEPT, EMPTY));
                    }
                }
            }
        } finally {
            if (!c.parked) {
                handOver(c, true); // what this read brought, also when the stream then ended or failed
            }
        }
    }

    /** A frame on an established connection. */
    private void received(Connection c, FrameCodec.Frame f) throws IOException {
        if (f.type == FrameCodec.DATA) {
            String mailbox = c.mailboxName(f.payload);
            if (c.batchPayloads == null) {
                c.batchBoxes = new String[Mailboxes.BATCH];
                c.batchPayloads = new byte[Mailboxes.BATCH][];
            }
            ByteBuffer b = f.payload; // a view of the connection's read buffer, always a heap buffer
            int from = b.arrayOffset() + b.position();
            byte[] payload = java.util.Arrays.copyOfRange(b.array(), from, from + b.remaining()); // no zeroing first
            b.position(b.limit());
            c.batchBoxes[c.batchEnd] = mailbox;
            c.batchPayloads[c.batchEnd++] = payload;
            if (c.batchEnd == Mailboxes.BATCH) {
                handOver(c, false); // more to read: the mailbox's thread is woken at the end, or once enough waits
            }
        } else if (f.type == FrameCodec.MEMBERS) {
            membersOf(c, f);
        } else if (f.type != FrameCodec.TICK) {
            throw new ProtocolException("unexpected frame type " + Byte.toUnsignedInt(f.type));
        }
    }

    /**
     * Hands the messages read so far to their mailboxes, each run of messages to one mailbox at
     * once. When a mailbox is full the connection is parked: it stops reading, keeping the rest,
     * until the mailbox makes room or the wait is over.
     *
     * @param wake whether to wake the mailboxes' threads now; false in the middle of a read, when
     *     the end of the read will (a thread woken per batch in a stream preempts this one each time)
     * @return true when every message was handed over
     */
    private boolean handOver(Connection c, boolean wake) {
        String[] boxes = c.batchBoxes;
        int i = c.batchStart;
        int end = c.batchEnd;
        while (i < end) {
            String box = boxes[i];
            int j = runEnd(c, i);
            i += mailboxes.offer(c.peer, box, c.batchPayloads, i, j, wake);
            if (i < j) {
                c.batchStart = i;
                if (!c.parked) {
                    c.parked = true;
                    c.parkedSince = clock.millis();
                    parked.add(c);
                }
                mailboxes.wakeDeferred(); // the read ends here
                return false;
            }
        }
        if (wake) {
            mailboxes.wakeDeferred();
        }
        if (end > 0) {
            java.util.Arrays.fill(boxes, 0, end, null);
            java.util.Arrays.fill(c.batchPayloads, 0, end, null);
            c.batchStart = 0;
            c.batchEnd = 0;
        }
        return true;
    }

    /**
     * Connections whose mailbox was full: hand over now if there is room, drop when the wait is
     * over, then read on. A connection is retried only here, oldest first, so one that keeps
     * finding the mailbox full is not starved by another that refills it.
     */
    private void retryParked(long now) {
        parked.sort(java.util.Comparator.comparingLong(c -> c.parkedSince)); // longest waiting first: none starves
        for (Connection c : List.copyOf(parked)) {
            if (!c.isClosed()) {
                if (!handOver(c, true)) {
                    if (now - c.parkedSince < mailboxWaitMs) {
                        continue;
                    }
                    dropBlocked(c);
                    c.parkedSince = now; // another mailbox of the batch gets a wait of its own
                    if (!handOver(c, true)) {
                        continue;
                    }
                }
                c.lastRead = now; // waiting on our own mailbox says nothing against the peer
            }
            c.parked = false;
            parked.remove(c);
            if (c.isClosed()) {
                continue;
            }
            try {
                readFrames(c);
                interest(c);
            } catch (IOException | RuntimeException e) {
                failed(c, e);
            }
        }
    }

    /** Gives up on the messages to the mailbox that stayed full (delivery is at most once). */
    private void dropBlocked(Connection c) {
        int j = runEnd(c, c.batchStart);
        java.util.Arrays.fill(c.batchPayloads, c.batchStart, j, null);
        mailboxes.drop(c.peer, c.batchBoxes[c.batchStart], j - c.batchStart);
        c.batchStart = j;
    }

    /** The end of the run of batched messages to one mailbox that starts at {@code from}. */
    private static int runEnd(Connection c, int from) {
        String box = c.batchBoxes[from];
        int j = from + 1;
        while (j < c.batchEnd && c.batchBoxes[j] == box) { // one String per name and connection (Connection.mailboxName)
            j++;
        }
        return j;
    }

    // ---------------------------------------------------------------- writing (selector thread)

    /** Queues an internal frame; one that does not fit closes the connection (the peer stopped reading). */
    private void send(Connection c, byte[] frame) throws IOException {
        int queued;
        try {
            queued = c.enqueue(frame, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (queued < 0) {
            throw new IOException("send queue full (" + settings.sendQueueBytes + " bytes): the peer does not read");
        }
        writeOut(c);
    }

    private void writeOut(Connection c) {
        if (c.isClosed() || c.link == null || c.state == Connection.State.TLS) {
            return;
        }
        try {
            boolean drained = c.flush(clock.millis());
            if (drained && c.closingWhenFlushed()) {
                discard(c, "refused");
                return;
            }
            interest(c);
        } catch (IOException | RuntimeException e) {
            failed(c, e);
        }
    }

    /** Sends a REFUSE and closes once it is out (or after a short linger). */
    private void sendLast(Connection c, byte[] frame) {
        try {
            c.closeWhenFlushed();
            c.deadline = Math.min(c.deadline, clock.millis() + REFUSE_LINGER_MS);
            if (c.enqueue(frame, 0) >= 0) {
                writeOut(c);
            } else {
                discard(c, "refused");
            }
        } catch (IOException | InterruptedException e) {
            discard(c, "refused");
        }
    }

    // ---------------------------------------------------------------- handshake outcomes

    /** On HELLO: with tls.verify.hostname, the dialler's certificate must name its host too; then {@link #admit}. */
    private void admitInitiator(Connection c, NodeName initiator) throws RefusedException {
        if (settings.tlsVerifyHostname && c.link instanceof TlsLink tls) {
            tls.requireNames(initiator);
        }
        admit(initiator);
    }

    /** Applied to an initiator before it proves anything and again before ACCEPT: one connection per pair, and the simultaneous-connect rule. */
    private synchronized void admit(NodeName initiator) throws RefusedException {
        if (connections.containsKey(initiator)) {
            throw Handshake.refusal(FrameCodec.REFUSED_ALREADY_CONNECTED, "already connected to " + initiator);
        }
        // only a connection of our own on its way competes: a dial that was refused and now waits for
        // the initiator's connection (or has not opened yet) takes this one
        Dial ours = dialling.get(initiator);
        if (ours != null && ours.attempt != null && !ours.attempt.isClosed() && self.compareTo(initiator) < 0) {
            throw Handshake.refusal(FrameCodec.REFUSED_SIMULTANEOUS, "simultaneous connect: keeping the connection opened by " + self);
        }
    }

    /**
     * Handshake done: the connection becomes the pair's one connection, or goes if there already
     * is one. {@code last}: the acceptor's ACCEPT, sent once the connection is registered.
     */
    private void up(Connection c, byte[] last) throws IOException {
        Dial dial;
        synchronized (this) {
            if (closed || connections.containsKey(c.peer)) {
                dial = null;
            } else {
                connections.put(c.peer, c);
                c.state = Connection.State.UP;
                emit(ClusterEvent.nodeUp(c.peer, clock.instant()));
                dial = dialling.get(c.peer);
                if (dial != null) {
                    succeed(dial);
                }
            }
        }
        if (c.state != Connection.State.UP) {
            Dial d = c.dial;
            discard(c, "connected meanwhile by the other side");
            if (d != null) {
                synchronized (this) {
                    if (connections.containsKey(d.node)) {
                        succeed(d);
                    }
                }
            }
            return;
        }
        handshakeOver(c);
        c.dial = null;
        c.deadline = Long.MAX_VALUE;
        c.lastRead = clock.millis();
        if (dial != null && dial.attempt != null && dial.attempt != c && !dial.attempt.isClosed()) {
            // the connection from the node that orders first won; our own attempt is moot
            discard(dial.attempt, "simultaneous connect: the connection from " + c.peer + " is kept");
        }
        LOG.log(Level.DEBUG, "{0} connected to {1} ({2}, {3})", self, c.peer, c.remote, c.initiated ? "outgoing" : "incoming");
        if (last != null) {
            send(c, last);
        }
        if (settings.transitive) {
            sendMembers(c);
        }
    }

    /** Any failure of a connection, in whatever state: close it, tell whoever waits, log what an operator needs. */
    private void failed(Connection c, Exception e) {
        if (c.isClosed()) {
            return;
        }
        if (c.state == Connection.State.UP) {
            if (e instanceof ProtocolException) {
                LOG.log(Level.WARNING, "protocol error from {0}: {1}; connection closed", c.peer, e.getMessage());
                lost(c, DownReason.PROTOCOL_ERROR, e.getMessage());
            } else {
                lost(c, DownReason.CONNECTION_CLOSED, message(e));
            }
            return;
        }
        RefusedException refused = e instanceof RefusedException ? (RefusedException) e : null;
        if (refused != null && refused.reply != null) {
            sendLast(c, refused.reply);
        } else {
            discard(c, message(e));
        }
        if (c.initiated) {
            dialFailed(c, e, refused);
            return;
        }
        if (refused != null) {
            boolean routine = refused.code == FrameCodec.REFUSED_ALREADY_CONNECTED || refused.code == FrameCodec.REFUSED_SIMULTANEOUS;
            LOG.log(routine ? Level.DEBUG : Level.WARNING, "connection from {0} refused: {1}", c.remote, e.getMessage());
        } else if (e instanceof EOFException) {
            // routine: a dialler that gave up, or lost a simultaneous connect and dropped its attempt
            LOG.log(Level.DEBUG, "connection from {0} closed by the peer during the handshake", c.remote);
        } else {
            LOG.log(Level.WARNING, "handshake with {0} failed: {1}; connection closed", c.remote, message(e));
        }
    }

    private void dialFailed(Connection c, Exception e, RefusedException refused) {
        Dial d = c.dial;
        if (d == null) {
            return;
        }
        if (refused != null && (refused.code == FrameCodec.REFUSED_ALREADY_CONNECTED || refused.code == FrameCodec.REFUSED_SIMULTANEOUS)) {
            // the other connection between the same two nodes is the one kept: wait for it
            synchronized (this) {
                if (d.attempt == c) {
                    d.attempt = null;
                }
                d.waitingFor = e.getMessage() + "; waiting for the connection from " + d.node;
                if (connections.containsKey(d.node)) {
                    succeed(d);
                }
            }
            return;
        }
        if (refused != null) {
            LOG.log(refused.code == FrameCodec.REFUSED_COOKIE || refused.code == FrameCodec.REFUSED_NOT_THIS_NODE ? Level.WARNING : Level.INFO,
                    "connection to {0} at {1} refused: {2}", d.node, c.remote, e.getMessage());
            failDial(d, "connection to " + d.node + " at " + c.remote + " refused: " + e.getMessage());
        } else if (e instanceof EOFException && c.state == Connection.State.HANDSHAKE) {
            failDial(d, "cannot connect to " + d.node + " at " + c.remote + ": closed by the peer during the handshake"
                    + " (is it at max.handshakes, or not a gen-cluster node?)");
        } else {
            failDial(d, "cannot connect to " + d.node + " at " + c.remote + ": " + message(e));
        }
    }

    private void handshakeOver(Connection c) {
        if (c.countedHandshake && Thread.currentThread() == io) {
            c.countedHandshake = false;
            handshakesInProgress--;
        }
    }

    /** Closes a connection that never came up (or lost a race); no event, since no node was up. */
    private void discard(Connection c, String why) {
        if (c.close(why)) {
            open.remove(c);
            handshakeOver(c);
        }
    }

    // ---------------------------------------------------------------- established connections

    /** Tells a newly connected peer our other members, so it connects to those it lacks (Erlang's connect_all). */
    private void sendMembers(Connection c) {
        List<Peer> others = new ArrayList<>();
        synchronized (this) {
            for (Connection o : connections.values()) {
                if (o != c) {
                    others.add(o.peerListenPort == 0 ? Peer.of(o.peer) : Peer.of(o.peer, o.peerListenPort));
                }
            }
        }
        if (others.isEmpty()) {
            return;
        }
        try {
            send(c, FrameCodec.members(others));
        } catch (IOException e) {
            failed(c, e);
        }
    }

    private void membersOf(Connection from, FrameCodec.Frame f) throws ProtocolException {
        for (Peer member : FrameCodec.members(f)) {
            NodeName node = member.node();
            if (!settings.transitive || node.equals(self) || member.port().isEmpty()) {
                continue;
            }
            synchronized (this) {
                if (connections.containsKey(node) || dialling.containsKey(node)) {
                    continue;
                }
            }
            connect(member, settings.handshakeTimeout.multipliedBy(2)).whenComplete((ok, err) -> {
                if (err != null) {
                    LOG.log(Level.DEBUG, "{0}, a member of {1}, could not be connected: {2}", node, from.peer, err.getMessage());
                }
            });
        }
    }

    /** Ticks idle connections, declares silent ones down, and closes handshakes past their deadline. */
    private void sweep(long now) {
        long tick = settings.tick.toMillis();
        long silence = settings.tickTimeout.toMillis();
        for (Connection c : open) {
            try {
                sweep(c, now, tick, silence);
            } catch (RuntimeException e) {
                failed(c, e);
            }
        }
    }

    private void sweep(Connection c, long now, long tick, long silence) {
        if (c.isClosed()) {
            open.remove(c);
        } else if (c.state == Connection.State.UP) {
            if (!c.parked && now - c.lastRead > silence) {
                lost(c, DownReason.HEARTBEAT_TIMEOUT, "nothing received for " + silence + " ms");
            } else if (now - c.lastWrite >= tick && c.idleForWrites()) {
                try {
                    send(c, tickFrame);
                } catch (IOException e) {
                    failed(c, e);
                }
            }
        } else if (now >= c.deadline) {
            if (c.closingWhenFlushed()) {
                discard(c, "refused");
            } else if (c.initiated) {
                discard(c, "handshake timed out");
                if (c.dial != null) {
                    failDial(c.dial, "cannot connect to " + c.peer + " at " + c.remote + ": handshake timed out after "
                            + settings.handshakeTimeout.toMillis() + " ms");
                }
            } else {
                LOG.log(Level.WARNING, "handshake with {0} timed out after {1,number,#} ms; connection closed", c.remote,
                        settings.handshakeTimeout.toMillis());
                discard(c, "handshake timed out");
            }
        }
    }

    /** Closes {@code c} and reports it down, once, with the first reason given. Any thread. */
    private void lost(Connection c, DownReason reason, String detail) {
        if (!c.close(reason + ": " + detail)) {
            return;
        }
        open.remove(c);
        synchronized (this) {
            connections.remove(c.peer, c);
            emit(ClusterEvent.nodeDown(c.peer, reason, detail, clock.instant()));
        }
    }

    @Override
    public void disconnect(NodeName node) {
        Connection c;
        synchronized (this) {
            c = connections.get(node);
        }
        if (c != null) {
            lost(c, DownReason.DISCONNECTED, "disconnected by " + self);
        }
    }

    /** Caller holds the lock, so events of one node are queued in the order they happened. */
    private void emit(ClusterEvent event) {
        try {
            events.execute(() -> {
                for (ClusterListener l : listeners) {
                    try {
                        l.clusterEvent(event);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "listener " + l + " failed on " + event, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            if (!events.isShutdown()) {
                LOG.log(Level.WARNING, "listeners are " + MAX_EVENTS_QUEUED + " events behind; dropped {0}", event);
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Closes every connection (reported down with {@link DownReason#SHUTDOWN}) and stops every thread. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (io == null) {
            return; // never started
        }
        stopping = true;
        selector.wakeup();
        if (Thread.currentThread() != io) {
            join(io);
        }
        if (epmd != null) {
            epmd.close();
            epmdTimer.shutdownNow();
        }
        List<Thread> mailboxThreads = mailboxes.close();
        resolver.shutdownNow();
        events.shutdown();
        try {
            if (!Thread.currentThread().getName().startsWith("gencluster-tcp-events-")) { // a listener may close us
                events.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            resolver.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            if (epmdTimer != null) {
                epmdTimer.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Thread> threads = new ArrayList<>(mailboxThreads);
        threads.addAll(poolThreads);
        joinAll(threads, STOP_WAIT_MS);
        LOG.log(Level.INFO, "{0} stopped listening", self);
    }

    /** Last act of the selector thread: every connection closed and reported, every waiter told. */
    private void shutdownOnLoop() {
        stopping = true;
        synchronized (this) {
            closed = true;
        }
        for (Connection c : List.copyOf(open)) {
            if (c.state == Connection.State.UP) {
                lost(c, DownReason.SHUTDOWN, self + " is shutting down");
            } else {
                discard(c, "shutting down");
            }
        }
        List<Dial> pending;
        synchronized (this) {
            pending = List.copyOf(dialling.values());
        }
        for (Dial d : pending) {
            failDial(d, "transport of " + self + " closed");
        }
        closeQuietly(server);
        closeQuietly(selector);
        tasks.clear();
    }

    /**
     * Waits up to {@code waitMillis} in all (a handler may ignore interrupts) for {@code threads} to
     * end, except the calling thread: a listener or handler may close the node.
     */
    private static void joinAll(List<Thread> threads, long waitMillis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                return;
            }
            if (t != Thread.currentThread()) {
                try {
                    t.join(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(STOP_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadPoolExecutor pool(String role, int threads, int queue) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                r -> daemon(r, "gencluster-tcp-" + role + "-" + threadTag));
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** A pool's thread, kept so that close() can join it: a terminated pool's last thread may still be ending. */
    private Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        poolThreads.removeIf(old -> !old.isAlive()); // bounded by the pools' sizes
        poolThreads.add(t);
        return t;
    }

    private static String remote(SocketChannel channel) {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }
}
