package io.gencluster.epmd;

import io.gencluster.epmd.ClosedConnections.Cause;
import io.gencluster.epmd.MapperConnection.Phase;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An embedded, EPMD-compatible port mapper, served by a node when no EPMD answers on the port
 * (as {@code erl} starts {@code epmd -daemon}): ALIVE2 registrations held while their connection
 * stays open, PORT_PLEASE2 and NAMES. Like EPMD it answers other hosts' NAMES and PORT_PLEASE2
 * (that is how they find this host's nodes) but accepts registrations from this host only.
 *
 * <p>It cannot be starved by connections that say nothing: one selector thread serves every
 * connection without blocking, a request must be whole within {@value #REQUEST_DEADLINE_MS} ms of
 * its accept and its reply written within {@value #EXCHANGE_DEADLINE_MS} ms (whatever the pace of
 * its bytes), at most {@value #MAX_UNREGISTERED} connections wait for their request or reply at
 * once (a newcomer closes the oldest of them, so a flood cannot keep a fresh client out), and at
 * most {@value #MAX_REGISTRATIONS} registrations are held. Connections it closes or refuses are
 * logged as one summary line per 10 s with counts, never a line each.
 */
@ProviderType
public final class PortMapper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PortMapper.class.getName());
    /** A request must be whole this long after its connection is accepted: EPMD requests are one small packet. */
    static final long REQUEST_DEADLINE_MS = 2000;
    /** The reply must be written this long after accept (a NAMES reply to another host may be large). */
    static final long EXCHANGE_DEADLINE_MS = 5000;
    /** Connections not (yet) registrations held at once; the oldest is closed for a newcomer. */
    static final int MAX_UNREGISTERED = 512;
    /** Registrations held at once (each a node of this host). */
    static final int MAX_REGISTRATIONS = 1024;
    private static final int BACKLOG = 128;
    private static final int ACCEPTS_PER_WAKEUP = 256;
    private static final long ACCEPT_PAUSE_MS = 100;
    private static final long CLOSE_WAIT_MS = 5000;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final SelectionKey serverKey;
    private final int port;
    private final Thread thread;
    /** Selector thread only, as everything below. */
    private final Map<String, Registration> registry = new HashMap<>();
    private final Set<MapperConnection> unregistered = new LinkedHashSet<>(); // in accept order
    private final ClosedConnections closedConnections;
    private long creation = System.currentTimeMillis() / 1000;
    private long acceptPausedUntil;
    private volatile boolean closed;

    private record Registration(NodeEntry entry, MapperConnection connection) {
    }

    private PortMapper(ServerSocketChannel server, Selector selector) throws IOException {
        this.server = server;
        this.selector = selector;
        this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        this.serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
        this.closedConnections = new ClosedConnections(port);
        this.thread = new Thread(this::run, "gencluster-epmd-server-" + port);
        thread.setDaemon(true);
    }

    /**
     * Serves the port mapper on {@code address:port}; a null address: every address of the host.
     *
     * @throws IOException when the port is taken (another EPMD, or another node won the race)
     */
    public static PortMapper start(InetAddress address, int port) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        Selector selector = null;
        PortMapper m;
        try {
            s.bind(new InetSocketAddress(address, port), BACKLOG);
            s.configureBlocking(false);
            selector = Selector.open();
            m = new PortMapper(s, selector);
        } catch (IOException | RuntimeException e) {
            s.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        m.thread.start();
        LOG.log(Level.INFO, "serving an embedded port mapper on {0}", s.getLocalAddress());
        return m;
    }

    public int port() {
        return port;
    }

    private void run() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextDueNanos(now) - now) + 1);
                selector.select(Math.min(wait, ClosedConnections.PERIOD_MS));
                now = System.nanoTime();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext() && !closed) {
                    SelectionKey k = keys.next();
                    keys.remove();
                    if (k == serverKey) {
                        accept(now);
                    } else if (k.isValid()) {
                        ready((MapperConnection) k.attachment(), now);
                    }
                }
                expire(now);
                closedConnections.logIfDue(now, false);
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.log(Level.ERROR, "embedded port mapper on port " + port + " failed; it stops serving", e);
            }
        } finally {
            shutDown();
        }
    }

    private long nextDueNanos(long now) {
        long due = closedConnections.dueNanos();
        if (acceptPausedUntil != 0) {
            due = Math.min(due, acceptPausedUntil);
        }
        for (MapperConnection c : unregistered) { // at most MAX_UNREGISTERED
            due = Math.min(due, c.deadlineNanos());
        }
        return due == Long.MAX_VALUE ? now + TimeUnit.MILLISECONDS.toNanos(ClosedConnections.PERIOD_MS) : due;
    }

    private void accept(long now) {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) { // out of file descriptors, most likely
                closedConnections.count(Cause.ACCEPT_FAILED, now, e.getMessage());
                if (!evictOldest(now)) {
                    serverKey.interestOps(0); // nothing of ours to free: stop accepting for a moment
                    acceptPausedUntil = now + TimeUnit.MILLISECONDS.toNanos(ACCEPT_PAUSE_MS);
                }
                return;
            }
            if (c == null) {
                return;
            }
            if (unregistered.size() >= MAX_UNREGISTERED) {
                evictOldest(now);
            }
            try {
                c.configureBlocking(false);
                SelectionKey k = c.register(selector, SelectionKey.OP_READ);
                MapperConnection conn = new MapperConnection(c, k, now);
                k.attach(conn);
                unregistered.add(conn);
            } catch (IOException e) {
                closeQuietly(c);
            }
        }
    }

    private boolean evictOldest(long now) {
        Iterator<MapperConnection> oldest = unregistered.iterator();
        if (!oldest.hasNext()) {
            return false;
        }
        MapperConnection c = oldest.next();
        oldest.remove();
        c.close();
        closedConnections.count(Cause.EVICTED, now, null);
        return true;
    }

    private void ready(MapperConnection c, long now) {
        try {
            switch (c.phase) {
                case READING -> {
                    byte[] request = c.readRequest();
                    if (request != null) {
                        serve(c, request, now);
                    }
                }
                case REPLYING -> {
                    if (c.writeMore()) {
                        replied(c);
                    }
                }
                case REGISTERED -> unregister(c); // any byte or the end of the stream ends a registration, as with EPMD
            }
        } catch (EpmdException e) {
            closedConnections.count(Cause.MALFORMED, now, e.getMessage());
            drop(c);
        } catch (IOException e) {
            drop(c); // the client went away: nothing to report
        }
    }

    private void serve(MapperConnection c, byte[] request, long now) throws IOException {
        byte[] reply;
        switch (Byte.toUnsignedInt(request[0])) {
            case EpmdCodec.ALIVE2_REQ -> reply = alive(c, request, now);
            case EpmdCodec.PORT_PLEASE2_REQ -> {
                String name = new String(request, 1, request.length - 1, StandardCharsets.UTF_8).replace("\0", "");
                Registration r = registry.get(name);
                reply = EpmdCodec.port2Response(r == null ? null : r.entry);
            }
            case EpmdCodec.NAMES_REQ -> {
                List<NodeEntry> entries = new ArrayList<>();
                registry.values().forEach(r -> entries.add(r.entry));
                reply = EpmdCodec.namesResponse(port, entries);
            }
            case EpmdCodec.DUMP_REQ -> reply = null; // unanswered: how a node tells EPMD from this (EpmdClient.isRealEpmd)
            default -> {
                closedConnections.count(Cause.UNKNOWN, now, "code " + Byte.toUnsignedInt(request[0]));
                reply = null; // closed without a reply, as EPMD does
            }
        }
        if (reply == null) {
            drop(c);
        } else if (c.reply(reply)) {
            replied(c);
        } else {
            c.key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    /** The ALIVE2 reply, registering the node when it is accepted; null: close without one. */
    private byte[] alive(MapperConnection c, byte[] request, long now) throws IOException {
        InetSocketAddress peer = (InetSocketAddress) c.channel.getRemoteAddress();
        InetSocketAddress local = (InetSocketAddress) c.channel.getLocalAddress();
        if (!peer.getAddress().isLoopbackAddress() && !peer.getAddress().equals(local.getAddress())) {
            closedConnections.count(Cause.REMOTE_ALIVE2, now, "from " + peer.getAddress().getHostAddress());
            return null; // registrations from other hosts are ignored, as by EPMD
        }
        NodeEntry entry = EpmdCodec.parseAlive2Request(request);
        if (registry.containsKey(entry.name)) {
            return EpmdCodec.alive2Response(false, 0);
        }
        if (registry.size() >= MAX_REGISTRATIONS) {
            closedConnections.count(Cause.REGISTRATIONS_FULL, now, null);
            return EpmdCodec.alive2Response(false, 0);
        }
        registry.put(entry.name, new Registration(entry, c));
        c.registered = entry.name;
        return EpmdCodec.alive2Response(true, ++creation);
    }

    private void replied(MapperConnection c) {
        if (c.registered == null) {
            drop(c);
            return;
        }
        unregistered.remove(c);
        c.phase = Phase.REGISTERED;
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void unregister(MapperConnection c) {
        ByteBuffer one = ByteBuffer.allocate(1);
        try {
            c.channel.read(one);
        } catch (IOException gone) {
            // gone either way
        }
        drop(c);
    }

    private void drop(MapperConnection c) {
        unregistered.remove(c);
        Registration r = c.registered == null ? null : registry.get(c.registered);
        if (r != null && r.connection == c) {
            registry.remove(c.registered);
        }
        c.close();
    }

    private void expire(long now) {
        if (acceptPausedUntil != 0 && now - acceptPausedUntil >= 0) {
            acceptPausedUntil = 0;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        for (Iterator<MapperConnection> i = unregistered.iterator(); i.hasNext();) {
            MapperConnection c = i.next();
            if (now - c.deadlineNanos() >= 0) {
                i.remove();
                drop(c);
                closedConnections.count(Cause.DEADLINE, now, null);
            }
        }
    }

    private void shutDown() {
        // the port first, and for good (a cancelled key is deregistered, and the socket released, by
        // the next select), then the connections: a node that sees its registration close and
        // registers again at once must find the port free or taken by a successor, never this one
        serverKey.cancel();
        closeQuietly(server);
        try {
            selector.selectNow();
        } catch (IOException ignored) {
            // closing the selector below releases it too
        }
        for (SelectionKey k : selector.keys()) {
            closeQuietly(k.channel());
        }
        closeQuietly(selector); // deregisters, which releases the listening port
        closedConnections.logIfDue(System.nanoTime(), true);
    }

    /**
     * Stops serving; every registration held here ends (their nodes see the connection close).
     * When this returns, the port is free.
     */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
