package io.gencluster.dist.tcp;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.Dist;
import io.gencluster.api.DownReason;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.Messenger;
import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The TCP transport: listens for peers, dials peers, authenticates both ways with the shared
 * cookie ({@link Handshake}), keeps one connection per node pair, ticks idle connections and
 * declares silent ones down. Plain Java, usable without OSGi: {@link #start()}, then
 * {@link #close()}.
 *
 * <p>Threads (all daemon, named {@code gencluster-tcp-*}): one acceptor, one reader per
 * connection, a bounded pool for handshakes in progress (incoming beyond
 * {@code max.handshakes} are closed at once) and one for outgoing connects, one timer thread for
 * ticks and deadlines, one event thread for listeners.
 *
 * <p>Simultaneous connects: when both nodes dial each other at once, the connection opened by the
 * node whose name orders first ({@link NodeName#compareTo}) is kept and the other refused, on both
 * sides alike; the refused dialler's {@link #connect} still succeeds once the kept connection is up.
 * A peer claiming a name that is already connected is refused: it never evicts the live one.
 */
public final class TcpDist implements Dist, Messenger, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());
    private static final int MAX_CONNECTS_IN_PROGRESS = 16;
    private static final int MAX_CONNECTS_QUEUED = 1024;
    private static final int MAX_EVENTS_QUEUED = 10_000;
    private static final long STOP_WAIT_MS = 5_000;
    private static final long BUSY_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final TcpDistSettings settings;
    private final NodeName self;
    private final Handshake handshake;
    private final String threadTag;
    private final CopyOnWriteArrayList<ClusterListener> listeners = new CopyOnWriteArrayList<>();
    private final Mailboxes mailboxes;
    private final Duration mailboxWait;

    // guarded by this
    private final Map<NodeName, Connection> connections = new HashMap<>();
    private final Map<NodeName, CompletableFuture<Void>> dialling = new HashMap<>();

    private ServerSocket server;
    private EpmdRegistrar epmd;
    private Thread acceptor;
    private ThreadPoolExecutor handshakes;
    private ThreadPoolExecutor connects;
    private ScheduledExecutorService timer;
    private ThreadPoolExecutor events;
    private volatile boolean closed;
    private volatile long lastBusyLog;

    public TcpDist(TcpDistSettings settings) {
        this.settings = settings;
        this.self = settings.self;
        this.handshake = new Handshake(self, settings.cookie, new SecureRandom());
        this.threadTag = self.toString();
        this.mailboxes = new Mailboxes(settings.mailboxQueue, threadTag);
        // bounded well inside the silence window, so that waiting never looks like a dead peer
        this.mailboxWait = Duration.ofMillis(Math.min(1000, settings.tickTimeout.toMillis() / 4));
    }

    /** Delivers messages for {@code mailbox} to {@code handler} from now on. */
    public void addMailbox(String mailbox, MessageHandler handler) {
        mailboxes.add(mailbox, handler);
    }

    /** Stops delivering to {@code handler}, if it still serves {@code mailbox}. */
    public void removeMailbox(String mailbox, MessageHandler handler) {
        mailboxes.remove(mailbox, handler);
    }

    @Override
    public void send(NodeName node, String mailbox, byte[] payload, Duration maxWait) throws MessagingException {
        byte[] box = mailbox.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (box.length == 0 || box.length > 255) {
            throw new MessagingException("invalid mailbox name '" + mailbox + "': 1-255 bytes of UTF-8");
        }
        int size = 2 + box.length + payload.length;
        if (size + 1 > settings.maxFrameBytes) {
            throw new MessagingException("message of " + payload.length + " bytes to " + node + " exceeds max.frame.bytes ("
                    + settings.maxFrameBytes + ")");
        }
        Connection c;
        synchronized (this) {
            c = connections.get(node);
        }
        if (c == null) {
            throw new MessagingException("not connected to " + node);
        }
        // the whole frame in one array, written once: length, type, mailbox, payload
        byte[] frame = new byte[5 + size];
        java.nio.ByteBuffer.wrap(frame).putInt(size + 1).put(FrameCodec.DATA).putShort((short) box.length).put(box).put(payload);
        try {
            if (!c.enqueueFrame(frame, maxWait)) {
                throw new MessagingException("send queue to " + node + " stayed full (" + settings.sendQueueBytes
                        + " bytes) for " + maxWait.toMillis() + " ms");
            }
        } catch (IOException e) {
            throw new MessagingException("not sent to " + node + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted while waiting for room in the send queue to " + node);
        }
    }

    /** Binds the listening socket and starts the threads. */
    public synchronized void start() throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(settings.bindAddress), settings.port), 128);
        handshakes = pool("handshake", settings.maxHandshakes, new SynchronousQueue<>());
        connects = pool("connect", MAX_CONNECTS_IN_PROGRESS, new ArrayBlockingQueue<>(MAX_CONNECTS_QUEUED));
        events = pool("events", 1, new ArrayBlockingQueue<>(MAX_EVENTS_QUEUED));
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "gencluster-tcp-timer-" + threadTag));
        long period = Math.max(10, settings.tick.toMillis() / 4);
        timer.scheduleWithFixedDelay(this::checkLiveness, period, period, TimeUnit.MILLISECONDS);
        acceptor = daemon(this::acceptLoop, "gencluster-tcp-accept-" + threadTag);
        acceptor.start();
        LOG.log(Level.INFO, "{0} listening on {1}", self, server.getLocalSocketAddress());
        if (settings.epmdRegister) {
            epmd = new EpmdRegistrar(self.name(), port(), settings.epmdPort, settings.epmdEmbedded, timer);
            epmd.start();
        }
    }

    /** Whether this node serves the embedded port mapper (for tests and diagnostics). */
    public boolean servesPortMapper() {
        return epmd != null && epmd.servesPortMapper();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getLocalPort();
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

    // ---------------------------------------------------------------- dialling

    @Override
    public CompletionStage<Void> connect(Peer peer, Duration timeout) {
        NodeName node = peer.node();
        if (closed) {
            return CompletableFuture.failedFuture(new IOException("transport of " + self + " is closed"));
        }
        if (node.equals(self)) {
            return CompletableFuture.failedFuture(new IOException("will not connect " + self + " to itself"));
        }
        if (peer.port().isEmpty() && settings.peerPort == 0 && !settings.epmdRegister) {
            return CompletableFuture.failedFuture(new IOException(
                    "no port known for " + node + ": discovery gave none, peer.port is 0 and EPMD is off"));
        }
        CompletableFuture<Void> result;
        synchronized (this) {
            if (connections.containsKey(node)) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> inProgress = dialling.get(node);
            if (inProgress != null) {
                return inProgress.copy();
            }
            result = new CompletableFuture<>();
            dialling.put(node, result);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ScheduledFuture<?> expiry = timer.schedule(() -> result.completeExceptionally(new TimeoutException(
                "connect to " + node + " timed out after " + timeout.toMillis() + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((ok, err) -> {
            expiry.cancel(false);
            synchronized (this) {
                dialling.remove(node, result);
            }
        });
        try {
            connects.execute(() -> dial(node, peer.port().orElse(0), deadline, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IOException("too many connects in progress; " + node + " not dialled"));
        }
        return result.copy();
    }

    private void dial(NodeName node, int knownPort, long deadline, CompletableFuture<Void> result) {
        Socket socket = new Socket();
        ScheduledFuture<?> watchdog = timer.schedule(() -> closeQuietly(socket),
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
        int port;
        try {
            port = knownPort != 0 ? knownPort : portOf(node, deadline);
        } catch (IOException e) {
            watchdog.cancel(false);
            result.completeExceptionally(new IOException("cannot connect to " + node + ": " + e.getMessage(), e));
            return;
        }
        String where = node.host() + ":" + port;
        try {
            InetSocketAddress address = new InetSocketAddress(node.host(), port);
            if (address.isUnresolved()) {
                throw new IOException("host " + node.host() + " does not resolve");
            }
            socket.connect(address, remainingMillis(deadline));
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Math.min(settings.handshakeTimeout.toMillis(), remainingMillis(deadline)));
            Socket channel = settings.tls == null ? socket : tlsClient(socket, node.host(), port);
            DataInputStream in = new DataInputStream(new BufferedInputStream(channel.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(channel.getOutputStream()));
            int peerListenPort = handshake.initiate(in, out, node, port());
            watchdog.cancel(false);
            socket.setSoTimeout(0);
            Connection c = new Connection(node, peerListenPort, true, socket, in, out, settings.sendQueueBytes);
            if (register(c)) {
                activate(c);
                result.complete(null);
            } else {
                closeQuietly(socket);
                awaitConnection(node, deadline, result, "connected meanwhile by the other side");
            }
        } catch (RefusedException e) {
            closeQuietly(socket);
            if (e.code == FrameCodec.REFUSED_ALREADY_CONNECTED || e.code == FrameCodec.REFUSED_SIMULTANEOUS) {
                // the other connection between the same two nodes is the one kept
                awaitConnection(node, deadline, result, e.getMessage());
            } else {
                LOG.log(e.code == FrameCodec.REFUSED_COOKIE || e.code == FrameCodec.REFUSED_NOT_THIS_NODE ? Level.WARNING : Level.INFO,
                        "connection to {0} at {1} refused: {2}", node, where, e.getMessage());
                result.completeExceptionally(new IOException("connection to " + node + " at " + where + " refused: " + e.getMessage(), e));
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            String why = result.isDone() ? "timed out" : (e.getMessage() == null ? e.toString() : e.getMessage());
            result.completeExceptionally(new IOException("cannot connect to " + node + " at " + where + ": " + why, e));
        } finally {
            watchdog.cancel(false);
        }
    }

    /** A peer without a known port: its host's EPMD says (PORT_PLEASE2), else the configured peer.port. */
    private int portOf(NodeName node, long deadline) throws IOException {
        if (!settings.epmdRegister) {
            return settings.peerPort;
        }
        io.gencluster.epmd.NodeEntry e = new io.gencluster.epmd.EpmdClient(node.host(), settings.epmdPort,
                Duration.ofMillis(remainingMillis(deadline))).portPlease(node.name());
        if (e == null) {
            throw new IOException("EPMD on " + node.host() + ":" + settings.epmdPort + " does not know " + node.name());
        }
        return e.port;
    }

    private void awaitConnection(NodeName node, long deadline, CompletableFuture<Void> result, String why) {
        synchronized (this) {
            while (!connections.containsKey(node) && !closed) {
                long left = remainingMillis(deadline);
                if (left <= 0 || result.isDone()) {
                    break;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (connections.containsKey(node)) {
                result.complete(null);
                return;
            }
        }
        result.completeExceptionally(new IOException("connection to " + node + " not established: " + why));
    }

    // ---------------------------------------------------------------- accepting

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.ERROR, "accepting connections on " + server.getLocalSocketAddress() + " failed", e);
                }
                return;
            }
            try {
                handshakes.execute(() -> acceptHandshake(socket));
            } catch (RejectedExecutionException e) {
                closeQuietly(socket);
                long now = System.nanoTime();
                if (now - lastBusyLog > BUSY_LOG_INTERVAL_NANOS) {
                    lastBusyLog = now;
                    LOG.log(Level.WARNING, "{0}: {1} handshakes already in progress (max.handshakes); closing new connections such as {2}",
                            self, settings.maxHandshakes, socket.getRemoteSocketAddress());
                }
            }
        }
    }

    private void acceptHandshake(Socket socket) {
        String remote = String.valueOf(socket.getRemoteSocketAddress());
        ScheduledFuture<?> watchdog = timer.schedule(() -> closeQuietly(socket), settings.handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        NodeName initiator = null;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) settings.handshakeTimeout.toMillis());
            Socket channel = settings.tls == null ? socket : tlsServer(socket);
            DataInputStream in = new DataInputStream(new BufferedInputStream(channel.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(channel.getOutputStream()));
            Handshake.Accepted accepted = handshake.accept(in, out, this::admit, port());
            initiator = accepted.initiator;
            watchdog.cancel(false);
            socket.setSoTimeout(0);
            Connection c = new Connection(initiator, accepted.listenPort, false, socket, in, out, settings.sendQueueBytes);
            if (!register(c)) {
                throw Handshake.refuse(out, FrameCodec.REFUSED_ALREADY_CONNECTED, "already connected to " + initiator);
            }
            try {
                c.send(FrameCodec.ACCEPT, new byte[0]);
                activate(c);
            } catch (IOException e) {
                activate(c);
                lost(c, DownReason.CONNECTION_CLOSED, "handshake not completed: " + e.getMessage());
            }
        } catch (RefusedException e) {
            closeQuietly(socket);
            boolean routine = e.code == FrameCodec.REFUSED_ALREADY_CONNECTED || e.code == FrameCodec.REFUSED_SIMULTANEOUS;
            LOG.log(routine ? Level.DEBUG : Level.WARNING, "connection from {0} refused: {1}", remote, e.getMessage());
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            LOG.log(Level.WARNING, "handshake with {0} timed out after {1} ms; connection closed", remote, settings.handshakeTimeout.toMillis());
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            if (!closed) {
                LOG.log(Level.WARNING, "handshake with {0} failed: {1}; connection closed", remote,
                        watchdog.isDone() && !watchdog.isCancelled() ? "timed out after " + settings.handshakeTimeout.toMillis() + " ms" : e.getMessage());
            }
        } finally {
            watchdog.cancel(false);
        }
    }

    /** Wraps a dialled connection in TLS; the certificate exchange is bounded by the socket's timeout. */
    private Socket tlsClient(Socket socket, String host, int port) throws IOException {
        javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) settings.tls.getSocketFactory().createSocket(socket, host, port, true);
        ssl.setUseClientMode(true);
        if (settings.tlsVerifyHostname) {
            javax.net.ssl.SSLParameters p = ssl.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(p);
        }
        try {
            ssl.startHandshake();
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException("TLS handshake failed: " + e.getMessage()
                    + " (do both nodes have tls.enabled=true, certificates from a CA the other trusts"
                    + (settings.tlsVerifyHostname ? ", and one naming host " + host : "") + "?)", e);
        } catch (IOException e) {
            throw new IOException("TLS handshake failed: " + e.getMessage() + " (does the peer have tls.enabled=true?)", e);
        }
        return ssl;
    }

    /** Wraps an accepted connection in TLS, requiring the peer's certificate (mutual authentication). */
    private Socket tlsServer(Socket socket) throws IOException {
        javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) settings.tls.getSocketFactory().createSocket(socket, null, true);
        ssl.setUseClientMode(false);
        ssl.setNeedClientAuth(true);
        try {
            ssl.startHandshake();
        } catch (javax.net.ssl.SSLException e) {
            String hint = String.valueOf(e.getMessage()).contains("plaintext") || String.valueOf(e.getMessage()).contains("Unsupported or unrecognized")
                    ? " (a plaintext peer: it has tls.enabled=false, this node true)" : " (certificate not trusted, or none?)";
            throw new RefusedException(FrameCodec.REFUSED_PROTOCOL, "TLS handshake failed: " + e.getMessage() + hint);
        }
        return ssl;
    }

    /** Applied to an initiator before it proves anything: one connection per pair, and the simultaneous-connect rule. */
    private synchronized void admit(NodeName initiator) throws RefusedException {
        if (connections.containsKey(initiator)) {
            throw new RefusedException(FrameCodec.REFUSED_ALREADY_CONNECTED, "already connected to " + initiator);
        }
        if (dialling.containsKey(initiator) && self.compareTo(initiator) < 0) {
            throw new RefusedException(FrameCodec.REFUSED_SIMULTANEOUS,
                    "simultaneous connect: keeping the connection opened by " + self);
        }
    }

    // ---------------------------------------------------------------- established connections

    /** Claims the pair's one connection slot; false when the pair is connected already. */
    private boolean register(Connection c) {
        synchronized (this) {
            if (closed || connections.containsKey(c.peer)) {
                return false;
            }
            connections.put(c.peer, c);
            notifyAll();
        }
        return true;
    }

    /** Once the handshake's last frame is out: starts reading and writing, reports the node up, passes members on. */
    private void activate(Connection c) {
        daemon(() -> readLoop(c), "gencluster-tcp-read-" + c.peer).start();
        c.startWriter("gencluster-tcp-write-" + c.peer, (conn, e) -> lost(conn, DownReason.CONNECTION_CLOSED, e.getMessage()));
        emit(ClusterEvent.nodeUp(c.peer, Instant.now()));
        LOG.log(Level.DEBUG, "{0} connected to {1} ({2}, {3})", self, c.peer, c.remote(), c.initiated ? "outgoing" : "incoming");
        if (settings.transitive) {
            sendMembers(c);
        }
    }

    /** Tells a newly connected peer our other members, so it connects to those it lacks (Erlang's connect_all). */
    private void sendMembers(Connection c) {
        Connection[] others;
        synchronized (this) {
            others = connections.values().stream().filter(o -> o != c).toArray(Connection[]::new);
        }
        if (others.length == 0) {
            return;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bytes);
        try {
            d.writeShort(others.length);
            for (Connection o : others) {
                d.writeUTF(o.peer.toString());
                d.writeShort(o.peerListenPort);
            }
            c.enqueue(FrameCodec.MEMBERS, bytes.toByteArray(), settings.handshakeTimeout);
        } catch (IOException e) {
            // the new connection is already gone: nothing to pass on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void membersOf(Connection from, FrameCodec.Frame f) throws ProtocolException {
        int count = Short.toUnsignedInt(FrameCodec.getShort(f.payload));
        for (int i = 0; i < count; i++) {
            String name = FrameCodec.getString(f.payload);
            int port = Short.toUnsignedInt(FrameCodec.getShort(f.payload));
            NodeName node;
            try {
                node = NodeName.parse(name);
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("MEMBERS from " + from.peer + " holds an invalid node name: " + e.getMessage());
            }
            if (!settings.transitive || node.equals(self) || port == 0) {
                continue;
            }
            synchronized (this) {
                if (connections.containsKey(node) || dialling.containsKey(node)) {
                    continue;
                }
            }
            connect(Peer.of(node, port), settings.handshakeTimeout.multipliedBy(2)).whenComplete((ok, err) -> {
                if (err != null) {
                    LOG.log(Level.DEBUG, "{0}, a member of {1}, could not be connected: {2}", node, from.peer, err.getMessage());
                }
            });
        }
    }

    private void readLoop(Connection c) {
        try {
            while (!c.isClosed()) {
                FrameCodec.Frame f = FrameCodec.read(c.in, settings.maxFrameBytes);
                c.lastRead = System.nanoTime();
                if (f.type == FrameCodec.DATA) {
                    String mailbox = FrameCodec.getString(f.payload);
                    byte[] payload = new byte[f.payload.remaining()];
                    f.payload.get(payload);
                    try {
                        mailboxes.deliver(c.peer, mailbox, payload, mailboxWait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    c.lastRead = System.nanoTime(); // waiting on our own mailbox says nothing against the peer
                } else if (f.type == FrameCodec.MEMBERS) {
                    membersOf(c, f);
                } else if (f.type != FrameCodec.TICK) {
                    throw new ProtocolException("unexpected frame type " + Byte.toUnsignedInt(f.type));
                }
            }
        } catch (ProtocolException e) {
            LOG.log(Level.WARNING, "protocol error from {0}: {1}; connection closed", c.peer, e.getMessage());
            lost(c, DownReason.PROTOCOL_ERROR, e.getMessage());
        } catch (EOFException e) {
            lost(c, DownReason.CONNECTION_CLOSED, "closed by peer");
        } catch (IOException e) {
            lost(c, DownReason.CONNECTION_CLOSED, e.getMessage());
        }
    }

    private void checkLiveness() {
        Connection[] all;
        synchronized (this) {
            all = connections.values().toArray(new Connection[0]);
        }
        long now = System.nanoTime();
        for (Connection c : all) {
            if (now - c.lastRead > settings.tickTimeout.toNanos()) {
                lost(c, DownReason.HEARTBEAT_TIMEOUT, "nothing received for " + settings.tickTimeout.toMillis() + " ms");
            } else if (now - c.lastWrite >= settings.tick.toNanos()) {
                try {
                    c.tickIfIdle();
                } catch (IOException e) {
                    lost(c, DownReason.CONNECTION_CLOSED, e.getMessage());
                }
            }
        }
    }

    /** Closes {@code c} and reports it down, once, with the first reason given. */
    private void lost(Connection c, DownReason reason, String detail) {
        if (!c.close(reason, detail)) {
            return;
        }
        synchronized (this) {
            connections.remove(c.peer, c);
        }
        emit(ClusterEvent.nodeDown(c.peer, reason, detail, Instant.now()));
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
        Connection[] all;
        CompletableFuture<?>[] pending;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = connections.values().toArray(new Connection[0]);
            pending = dialling.values().toArray(new CompletableFuture<?>[0]);
            notifyAll();
        }
        closeQuietly(server);
        if (epmd != null) {
            epmd.close();
        }
        for (CompletableFuture<?> f : pending) {
            f.completeExceptionally(new IOException("transport of " + self + " closed"));
        }
        for (Connection c : all) {
            lost(c, DownReason.SHUTDOWN, self + " is shutting down");
        }
        mailboxes.close();
        connects.shutdownNow();
        handshakes.shutdownNow();
        timer.shutdownNow();
        join(acceptor);
        events.shutdown();
        try {
            events.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            connects.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            handshakes.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            timer.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.log(Level.INFO, "{0} stopped listening", self);
    }

    private static void join(Thread t) {
        try {
            t.join(STOP_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadPoolExecutor pool(String role, int threads, java.util.concurrent.BlockingQueue<Runnable> queue) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, queue,
                r -> daemon(r, "gencluster-tcp-" + role + "-" + threadTag));
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static int remainingMillis(long deadline) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
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
