package io.gencluster.dist.erlang;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.DownReason;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.MessagingException;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlPid;
import io.gencluster.erlang.ErlangMessenger;
import io.gencluster.erlang.Term;
import io.gencluster.erlang.TermCodec;
import io.gencluster.erlang.TermFormatException;
import io.gencluster.spi.Dist;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node of an Erlang cluster: listens for Erlang nodes, dials them, keeps one connection per
 * node with ticks, and carries messages between Erlang processes and this node's mailboxes.
 * Plain Java; the OSGi component only builds it from configuration.
 *
 * <p>What arrives on a connection is routed by {@link Inbound}; mailbox pids are {@link MailboxPids}.
 *
 * <p>Threads: one accepting, a bounded pool for handshakes (both roles), a reader and a writer per
 * connection, one timer (ticks, silence, deadlines, EPMD retries), one event thread for listeners
 * and connect results, and one per mailbox. All end in {@link #close()}.
 */
public final class ErlangDist implements Dist, Messenger, ErlangMessenger, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ErlangDist.class.getName());
    /** Handshakes at once, both roles; more incoming ones are closed, more dials fail at once. */
    static final int MAX_HANDSHAKES = 16;
    private static final Duration EPMD_TIMEOUT = Duration.ofSeconds(2);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ErlangDistSettings s;
    private final NodeName self;
    private final ErlAtom selfAtom;
    private final Map<NodeName, Connection> connections = new ConcurrentHashMap<>();
    private final Map<NodeName, Dialling> dialling = new ConcurrentHashMap<>();
    private final Map<NodeName, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private final Map<NodeName, String> lastRefusal = new ConcurrentHashMap<>();
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final ExecutorService events;
    private final ScheduledExecutorService timer;
    private final ThreadPoolExecutor handshakes;
    private final Mailboxes mailboxes;
    private final MailboxPids pids;
    private final Inbound inbound;
    private ServerSocket server;
    private EpmdRegistration epmd;
    private Handshake handshake;
    private volatile long creation;
    private volatile boolean closed;
    private volatile long lastBusyLog;

    /** One attempt of ours to dial a node. */
    private static final class Dialling {
        volatile Socket socket;
        volatile boolean cancelled;
    }

    public ErlangDist(ErlangDistSettings settings) {
        this.s = settings;
        this.self = settings.self;
        this.selfAtom = ErlAtom.of(self.toString());
        String tag = self.toString();
        this.events = Executors.newSingleThreadExecutor(r -> daemon(r, "gencluster-erlang-events-" + tag));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "gencluster-erlang-timer-" + tag));
        this.handshakes = new ThreadPoolExecutor(0, MAX_HANDSHAKES, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "gencluster-erlang-handshake-" + tag));
        this.mailboxes = new Mailboxes(settings.mailboxQueue, tag);
        this.pids = new MailboxPids(selfAtom, () -> creation);
        this.inbound = new Inbound(pids, mailboxes);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Listens, registers with EPMD (when configured) and starts ticking. */
    public synchronized void start() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(s.bindAddress, s.port), 64);
        long c = 0;
        if (s.epmdRegister) {
            epmd = new EpmdRegistration(self.name(), server.getLocalPort(), s.hidden, s.epmdPort, timer);
            c = epmd.register();
        }
        // EPMD's creation when registered (Erlang nodes do the same); else any non-zero one
        creation = c != 0 ? c : 1 + (s.random.nextLong() & 0x7ffffffeL);
        handshake = new Handshake(self, s.cookie, DistFlags.ours(!s.hidden), creation, s.random);
        daemon(this::acceptLoop, "gencluster-erlang-accept-" + self).start();
        long interval = Math.max(250, s.netTickTime.toMillis() / 4);
        timer.scheduleAtFixedRate(this::tickAll, interval, interval, TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "{0} listening on {1}:{2} ({3}, {4}, net tick time {5} s)", self, s.bindAddress,
                String.valueOf(server.getLocalPort()), s.hidden ? "hidden" : "visible", NameMode.of(self).option(),
                String.valueOf(s.netTickTime.toSeconds()));
    }

    @Override
    public NodeName self() {
        return self;
    }

    /** The port this node listens on. */
    public int port() {
        return server.getLocalPort();
    }

    @Override
    public Set<NodeName> members() {
        Set<NodeName> out = new TreeSet<>();
        connections.forEach((n, c) -> {
            if (!c.isClosed()) {
                out.add(n);
            }
        });
        return out;
    }

    @Override
    public void addListener(ClusterListener l) {
        listeners.add(l);
    }

    @Override
    public void removeListener(ClusterListener l) {
        listeners.remove(l);
    }

    public void addMailbox(String name, MessageHandler handler) {
        mailboxes.add(name, handler);
    }

    public void removeMailbox(String name, MessageHandler handler) {
        mailboxes.remove(name, handler);
    }

    // ---------------------------------------------------------------- connecting

    @Override
    public CompletionStage<Void> connect(Peer peer, Duration timeout) {
        NodeName node = peer.node();
        if (node.equals(self)) {
            return CompletableFuture.failedFuture(new IOException("cannot connect " + self + " to itself"));
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("the transport of " + self + " is closed"));
        }
        if (NameMode.of(node) != NameMode.of(self)) {
            RefusedException e = new RefusedException("not connecting to " + node + ": it uses " + NameMode.of(node).option()
                    + ", this node " + self + " uses " + NameMode.of(self).option() + "; Erlang nodes of the two kinds cannot connect");
            refused(node, e);
            return CompletableFuture.failedFuture(e);
        }
        Connection existing = connections.get(node);
        if (existing != null && !existing.isClosed()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        waiters.computeIfAbsent(node, n -> new CopyOnWriteArrayList<>()).add(result);
        timer.schedule(() -> {
            if (result.completeExceptionally(new IOException("timed out after " + timeout.toMillis() + " ms connecting to " + node))) {
                removeWaiter(node, result);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        Dialling attempt = new Dialling();
        if (dialling.putIfAbsent(node, attempt) == null) {
            try {
                handshakes.execute(() -> dial(peer, attempt));
            } catch (RejectedExecutionException e) {
                dialling.remove(node, attempt);
                fail(node, new IOException(MAX_HANDSHAKES + " handshakes already in progress; not dialling " + node + " now"));
            }
        }
        // a connection may have come up between the check above and adding the waiter
        Connection now = connections.get(node);
        if (now != null && !now.isClosed()) {
            result.complete(null);
        }
        return result;
    }

    private void dial(Peer peer, Dialling attempt) {
        NodeName node = peer.node();
        Socket socket = null;
        try {
            int port = peer.port().isPresent() ? peer.port().getAsInt() : portFromEpmd(node);
            socket = new Socket();
            attempt.socket = socket;
            ScheduledDeadline deadline = deadline(socket);
            try {
                socket.connect(new InetSocketAddress(node.host(), port), (int) s.handshakeTimeout.toMillis());
                if (attempt.cancelled) {
                    throw new SimultaneousConnectException("given up for " + node + "'s own connection");
                }
                socket.setSoTimeout((int) s.handshakeTimeout.toMillis());
                socket.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
                Handshake.Result r = handshake.initiate(in, out, node, () -> {
                    Connection c = connections.get(node);
                    return c != null && !c.isClosed();
                });
                deadline.cancel();
                established(r, socket, in);
                socket = null;
            } finally {
                deadline.cancel();
            }
        } catch (SimultaneousConnectException e) {
            LOG.log(Level.DEBUG, "dialling {0}: {1}", node, e.getMessage());
        } catch (RefusedException e) {
            refused(node, e);
            fail(node, e);
        } catch (IOException | RuntimeException e) {
            if (!attempt.cancelled) {
                fail(node, new IOException("cannot connect to " + node + ": " + e.getMessage(), e));
            }
        } finally {
            dialling.remove(node, attempt);
            closeQuietly(socket);
        }
    }

    private int portFromEpmd(NodeName node) throws IOException {
        NodeEntry e = new EpmdClient(node.host(), s.epmdPort, EPMD_TIMEOUT).portPlease(node.name());
        if (e == null) {
            throw new IOException(node.name() + " is not registered with EPMD on " + node.host() + ":" + s.epmdPort);
        }
        if (e.highestVersion < 6) {
            throw new IOException(node + " speaks distribution version " + e.highestVersion + " only; 6 (OTP 23+) is needed");
        }
        return e.port;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.ERROR, "{0} stopped accepting connections: {1}", self, e.getMessage());
                }
                return;
            }
            try {
                handshakes.execute(() -> accepted(socket));
            } catch (RejectedExecutionException e) {
                closeQuietly(socket);
                long now = System.nanoTime();
                if (now - lastBusyLog > LOG_INTERVAL_NANOS) {
                    lastBusyLog = now;
                    LOG.log(Level.WARNING, "{0} handshakes in progress: closing further incoming connections", String.valueOf(MAX_HANDSHAKES));
                }
            }
        }
    }

    private void accepted(Socket socket) {
        ScheduledDeadline deadline = deadline(socket);
        try {
            socket.setSoTimeout((int) s.handshakeTimeout.toMillis());
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            Handshake.Result r = handshake.accept(in, out, arbiter);
            deadline.cancel();
            established(r, socket, in);
            return;
        } catch (SimultaneousConnectException e) {
            LOG.log(Level.DEBUG, "incoming connection: {0}", e.getMessage());
        } catch (RefusedException e) {
            LOG.log(Level.WARNING, "{0}", e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.INFO, "incoming connection from {0} failed during the handshake: {1}",
                    socket.getRemoteSocketAddress(), e.getMessage());
        } finally {
            deadline.cancel();
        }
        closeQuietly(socket);
    }

    /** What this node answers a node dialling it, given its own connections and dials (Erlang's rules). */
    private final Handshake.Arbiter arbiter = new Handshake.Arbiter() {
        @Override
        public String status(NodeName initiator) {
            Connection c = connections.get(initiator);
            if (c != null && !c.isClosed()) {
                return "alive";
            }
            Dialling mine = dialling.get(initiator);
            if (mine == null) {
                return "ok";
            }
            // both dialled: the node whose name sorts higher keeps its attempt, as dist_util decides
            if (initiator.toString().compareTo(self.toString()) > 0) {
                mine.cancelled = true;
                closeQuietly(mine.socket);
                return "ok_simultaneous";
            }
            return "nok";
        }

        @Override
        public void replaceOld(NodeName initiator) {
            Connection old = connections.get(initiator);
            if (old != null) {
                old.close(DownReason.CONNECTION_CLOSED, initiator + " connected again: its old connection is dead");
            }
        }
    };

    private void established(Handshake.Result r, Socket socket, DataInputStream in) throws IOException {
        Connection c = new Connection(r, socket, in, s.maxFrameBytes, s.sendQueueBytes, connectionEvents);
        NodeName peer = r.peer();
        synchronized (this) {
            if (closed) {
                throw new IOException("the transport is closing");
            }
            Connection old = connections.get(peer);
            if (old != null && !old.isClosed()) {
                throw new SimultaneousConnectException(peer + " is connected already");
            }
            connections.put(peer, c);
        }
        lastRefusal.remove(peer);
        boolean visible = (r.flags() & DistFlags.PUBLISHED) != 0;
        LOG.log(Level.INFO, "node up {0} ({1} node, creation {2})", peer, visible ? "visible" : "hidden", String.valueOf(r.creation()));
        Instant at = Instant.now();
        events.execute(() -> {
            emit(ClusterEvent.nodeUp(peer, at));
            List<CompletableFuture<Void>> ws = waiters.remove(peer);
            if (ws != null) {
                ws.forEach(w -> w.complete(null));
            }
        });
        c.start(peer + "-" + connectionCount.incrementAndGet());
    }

    private final Connection.Events connectionEvents = new Connection.Events() {
        @Override
        public void frame(Connection c, byte[] frame) throws ProtocolException {
            inbound.frame(c, frame);
        }

        @Override
        public void closed(Connection c, DownReason reason, String detail) {
            if (connections.remove(c.peer, c)) {
                LOG.log(reason == DownReason.PROTOCOL_ERROR || reason == DownReason.HEARTBEAT_TIMEOUT ? Level.WARNING : Level.INFO,
                        "node down {0} ({1}: {2})", c.peer, reason, detail);
                Instant at = Instant.now();
                try {
                    events.execute(() -> emit(ClusterEvent.nodeDown(c.peer, reason, detail, at)));
                } catch (RejectedExecutionException closing) {
                    // the transport is closed: nobody listens any more
                }
            }
        }
    };

    private void emit(ClusterEvent e) {
        for (ClusterListener l : listeners) {
            try {
                l.clusterEvent(e);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "cluster listener " + l + " failed on " + e, ex);
            }
        }
    }

    private void fail(NodeName node, IOException e) {
        List<CompletableFuture<Void>> ws = waiters.remove(node);
        if (ws != null) {
            try {
                events.execute(() -> ws.forEach(w -> w.completeExceptionally(e)));
            } catch (RejectedExecutionException closing) {
                ws.forEach(w -> w.completeExceptionally(e));
            }
        }
    }

    private void removeWaiter(NodeName node, CompletableFuture<Void> w) {
        List<CompletableFuture<Void>> ws = waiters.get(node);
        if (ws != null) {
            ws.remove(w);
        }
    }

    /** Logged once per change of reason, not on every retry of the runtime. */
    private void refused(NodeName node, RefusedException e) {
        if (!e.getMessage().equals(lastRefusal.put(node, e.getMessage()))) {
            LOG.log(Level.WARNING, "{0}", e.getMessage());
        }
    }

    @Override
    public void disconnect(NodeName node) {
        Connection c = connections.get(node);
        if (c != null) {
            c.close(DownReason.DISCONNECTED, "disconnected by " + self);
        }
    }

    // ---------------------------------------------------------------- ticks

    /** Every quarter of the net tick time: tick idle connections, drop silent ones (Erlang's rule). */
    private void tickAll() {
        long tickTime = s.netTickTime.toMillis();
        for (Connection c : connections.values()) {
            if (c.silentMs() > tickTime) {
                c.close(DownReason.HEARTBEAT_TIMEOUT, "nothing received for " + c.silentMs() + " ms (net tick time "
                        + s.netTickTime.toSeconds() + " s)");
            } else if (c.idleMs() >= tickTime / 8) {
                c.tick();
            }
        }
    }

    // ---------------------------------------------------------------- sending

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
        try {
            TermCodec.decode(payload);
        } catch (TermFormatException e) {
            throw new MessagingException("payload for " + registeredName + " on " + node + " is not one term in"
                    + " external term format (version byte 131 first): " + e.getMessage());
        }
        checkAtom(registeredName);
        transmit(node, ControlMessages.frame(ControlMessages.regSend(pids.none(), registeredName), payload), maxWait);
    }

    @Override
    public void send(NodeName node, String registeredName, Term message, String fromMailbox, Duration maxWait) throws MessagingException {
        checkAtom(registeredName);
        transmit(node, ControlMessages.frame(ControlMessages.regSend(pid(fromMailbox), registeredName), TermCodec.encode(message)), maxWait);
    }

    @Override
    public void send(ErlPid to, Term message, Duration maxWait) throws MessagingException {
        NodeName node;
        try {
            node = NodeName.parse(to.node().name());
        } catch (IllegalArgumentException e) {
            throw new MessagingException("pid " + to + " names no reachable node: " + e.getMessage());
        }
        transmit(node, ControlMessages.frame(ControlMessages.send(to), TermCodec.encode(message)), maxWait);
    }

    private static void checkAtom(String name) throws MessagingException {
        try {
            ErlAtom.of(name);
        } catch (IllegalArgumentException e) {
            throw new MessagingException("registered name '" + name + "': " + e.getMessage());
        }
    }

    private void transmit(NodeName node, byte[] frame, Duration maxWait) throws MessagingException {
        if (frame.length - 4 > s.maxFrameBytes) {
            throw new MessagingException("message of " + (frame.length - 4) + " bytes to " + node
                    + " exceeds max.frame.bytes " + s.maxFrameBytes);
        }
        Connection c = connections.get(node);
        if (c == null || c.isClosed()) {
            throw new MessagingException(node + " is not connected");
        }
        try {
            if (!c.send(frame, maxWait.toNanos())) {
                throw new MessagingException(c.isClosed() ? "connection to " + node + " closed"
                        : "send queue to " + node + " stayed full for " + maxWait.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted while waiting for room in the send queue to " + node);
        }
    }

    // ---------------------------------------------------------------- closing

    private ScheduledDeadline deadline(Socket socket) {
        return new ScheduledDeadline(timer.schedule(() -> closeQuietly(socket), s.handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Closes a handshake's socket when it overruns; cancelled once the handshake ends. */
    private record ScheduledDeadline(java.util.concurrent.ScheduledFuture<?> future) {
        void cancel() {
            future.cancel(false);
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        if (epmd != null) {
            epmd.close();
        }
        dialling.values().forEach(d -> {
            d.cancelled = true;
            closeQuietly(d.socket);
        });
        for (Connection c : new ArrayList<>(connections.values())) {
            c.close(DownReason.SHUTDOWN, self + " is shutting down");
        }
        IOException shut = new IOException("the transport of " + self + " closed");
        new ArrayList<>(waiters.keySet()).forEach(n -> fail(n, shut));
        handshakes.shutdownNow();
        timer.shutdownNow();
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        mailboxes.close();
    }
}
