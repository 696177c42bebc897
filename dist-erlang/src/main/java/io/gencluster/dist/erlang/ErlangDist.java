package io.gencluster.dist.erlang;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.Dist;
import io.gencluster.api.Messenger;
import io.gencluster.api.DownReason;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlInteger;
import io.gencluster.erlang.ErlPid;
import io.gencluster.erlang.ErlTuple;
import io.gencluster.erlang.ErlangMessenger;
import io.gencluster.erlang.Term;
import io.gencluster.erlang.TermCodec;
import io.gencluster.erlang.TermFormatException;
import io.gencluster.erlang.TermReader;
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
 * <p>Threads: one accepting, a bounded pool for handshakes (both roles), a reader and a writer per
 * connection, one timer (ticks, silence, deadlines, EPMD retries), one event thread for listeners
 * and connect results, and one per mailbox. All end in {@link #close()}.
 */
public final class ErlangDist implements Dist, Messenger, ErlangMessenger, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ErlangDist.class.getName());
    /** Handshakes at once, both roles; more incoming ones are closed, more dials fail at once. */
    static final int MAX_HANDSHAKES = 16;
    /** Pids handed out to mailbox names. */
    static final int MAX_MAILBOX_PIDS = 1 << 16;
    private static final Duration EPMD_TIMEOUT = Duration.ofSeconds(2);
    /** OTP's own registered processes that talk to a visible node at once (erpc's rex, global). */
    static final Set<String> OTP_SERVICES = Set.of("rex", "global_name_server", "global_group", "global_group_check");
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ErlangDistSettings s;
    private final NodeName self;
    private final ErlAtom selfAtom;
    private final Map<NodeName, Connection> connections = new ConcurrentHashMap<>();
    private final Map<NodeName, Dialling> dialling = new ConcurrentHashMap<>();
    private final Map<NodeName, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private final Map<NodeName, String> lastRefusal = new ConcurrentHashMap<>();
    private final List<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Long> pidIds = new ConcurrentHashMap<>();
    private final Map<Long, String> pidNames = new ConcurrentHashMap<>();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final ExecutorService events;
    private final ScheduledExecutorService timer;
    private final ThreadPoolExecutor handshakes;
    private final Mailboxes mailboxes;
    private ServerSocket server;
    private EpmdRegistration epmd;
    private Handshake handshake;
    private volatile long creation;
    private volatile boolean closed;
    private volatile long lastBusyLog;
    private volatile long lastUnsupportedLog;

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
                Connection c = connections.get(node);
                Handshake.Result r = handshake.initiate(in, out, node, c != null && !c.isClosed());
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
            onFrame(c, frame);
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

    // ---------------------------------------------------------------- frames

    private void onFrame(Connection c, byte[] frame) throws ProtocolException {
        int type = frame[0] & 0xff;
        if (type != ControlMessages.PASS_THROUGH) {
            throw new ProtocolException(type == ControlMessages.DIST_HEADER
                    ? c.peer + " sent a distribution header (atom cache), which was not negotiated"
                    : c.peer + " sent a frame of unknown type " + type);
        }
        TermReader r = new TermReader(frame, 1, frame.length - 1);
        Term control;
        try {
            control = r.readVersioned();
        } catch (TermFormatException e) {
            throw new ProtocolException("malformed control message from " + c.peer + ": " + e.getMessage());
        }
        if (!(control instanceof ErlTuple t) || t.arity() < 1 || !(t.get(0) instanceof ErlInteger op)) {
            throw new ProtocolException("control message from " + c.peer + " is not a tuple with an operation: " + control);
        }
        byte[] payload = java.util.Arrays.copyOfRange(frame, r.position(), frame.length);
        int operation = op.value().bitLength() < 16 ? op.value().intValue() : -1;
        switch (operation) {
            case ControlMessages.SEND -> {
                if (t.arity() != 3 || !(t.get(2) instanceof ErlPid to)) {
                    throw new ProtocolException("SEND from " + c.peer + " is not {2, '', ToPid}: " + control);
                }
                if (message(c, payload) != null) {
                    toPid(c, to, payload);
                }
            }
            case ControlMessages.REG_SEND -> {
                if (t.arity() != 4 || !(t.get(3) instanceof ErlAtom name)) {
                    throw new ProtocolException("REG_SEND from " + c.peer + " is not {6, From, '', Name}: " + control);
                }
                Term message = message(c, payload);
                if (message == null) {
                    return;
                }
                if (name.name().equals("net_kernel")) {
                    netKernel(c, message);
                } else if (OTP_SERVICES.contains(name.name()) && !mailboxes.has(name.name())) {
                    // a visible node is sent these by every Erlang node it meets; nothing to warn about
                    LOG.log(Level.DEBUG, "message from {0} to {1} ignored: {2}", c.peer, name, message);
                } else {
                    deliver(c, name.name(), payload);
                }
            }
            case ControlMessages.UNLINK_ID -> {
                if (t.arity() == 4) {
                    reply(c, ControlMessages.frame(ErlTuple.of(ErlInteger.of(ControlMessages.UNLINK_ID_ACK), t.get(1), t.get(3), t.get(2)), null));
                }
            }
            default -> LOG.log(Level.DEBUG, "control message from {0} ignored: {1}", c.peer, control);
        }
    }

    /** The message of a frame, decoded: null (logged, dropped) when of a kind not read; malformed closes the connection. */
    private Term message(Connection c, byte[] payload) throws ProtocolException {
        if (payload.length == 0) {
            throw new ProtocolException(c.peer + " sent a message operation without a message");
        }
        try {
            return TermCodec.decode(payload);
        } catch (TermFormatException e) {
            if (!e.isUnsupported()) {
                throw new ProtocolException("malformed message from " + c.peer + ": " + e.getMessage());
            }
            long now = System.nanoTime();
            if (now - lastUnsupportedLog > LOG_INTERVAL_NANOS) {
                lastUnsupportedLog = now;
                LOG.log(Level.WARNING, "message from {0} dropped: {1}", c.peer, e.getMessage());
            }
            return null;
        }
    }

    /**
     * Enough of {@code net_kernel} for {@code net_adm:ping/1}: a
     * {@code {'$gen_call', {From, Tag}, {is_auth, Node}}} is answered {@code {Tag, yes}}.
     */
    private void netKernel(Connection c, Term message) {
        if (message instanceof ErlTuple call && call.arity() == 3 && ErlAtom.of("$gen_call").equals(call.get(0))
                && call.get(1) instanceof ErlTuple from && from.arity() == 2 && from.get(0) instanceof ErlPid caller
                && call.get(2) instanceof ErlTuple request && request.arity() == 2 && ErlAtom.of("is_auth").equals(request.get(0))) {
            reply(c, ControlMessages.frame(ControlMessages.send(caller),
                    TermCodec.encode(ErlTuple.of(from.get(1), ErlAtom.of("yes")))));
        } else {
            LOG.log(Level.DEBUG, "net_kernel request from {0} ignored: {1}", c.peer, message);
        }
    }

    private void reply(Connection c, byte[] frame) {
        try {
            if (!c.send(frame, TimeUnit.MILLISECONDS.toNanos(Mailboxes.OFFER_WAIT_MS))) {
                LOG.log(Level.DEBUG, "reply to {0} dropped: its send queue is full", c.peer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void toPid(Connection c, ErlPid to, byte[] payload) {
        String mailbox = to.node().equals(selfAtom) ? pidNames.get(to.id()) : null;
        if (mailbox == null) {
            LOG.log(Level.DEBUG, "message from {0} to {1} dropped: no mailbox of this node has that pid", c.peer, to);
            return;
        }
        deliver(c, mailbox, payload);
    }

    private void deliver(Connection c, String mailbox, byte[] payload) {
        try {
            mailboxes.deliver(c.peer, mailbox, payload);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- sending

    /** The pid of mailbox {@code name} on this node; stable while the transport runs. */
    @Override
    public ErlPid pid(String name) {
        Long id = pidIds.get(name);
        if (id == null) {
            synchronized (pidIds) {
                id = pidIds.get(name);
                if (id == null) {
                    if (pidIds.size() >= MAX_MAILBOX_PIDS) {
                        throw new IllegalStateException(MAX_MAILBOX_PIDS + " mailbox pids handed out already");
                    }
                    id = (long) pidIds.size() + 1; // 0 is the pid of no mailbox (Messenger.send)
                    pidNames.put(id, name);
                    pidIds.put(name, id);
                }
            }
        }
        return new ErlPid(selfAtom, id, 0, creation);
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
        transmit(node, ControlMessages.frame(ControlMessages.regSend(new ErlPid(selfAtom, 0, 0, creation), registeredName), payload), maxWait);
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
