package io.gencluster.epmd;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An embedded, EPMD-compatible port mapper, served by a node when no EPMD answers on the port
 * (as {@code erl} starts {@code epmd -daemon}): ALIVE2 registrations held while their connection
 * stays open, PORT_PLEASE2 and NAMES. Like EPMD it answers other hosts' NAMES and PORT_PLEASE2
 * (that is how they find this host's nodes) but accepts registrations from this host only.
 * Bounded: at most {@value #MAX_CONNECTIONS} connections at once, every request read within
 * {@value #REQUEST_TIMEOUT_MS} ms.
 */
@ProviderType
public final class PortMapper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PortMapper.class.getName());
    static final int MAX_CONNECTIONS = 256;
    static final int REQUEST_TIMEOUT_MS = 10_000;

    private final ServerSocket server;
    private final Map<String, Registered> registry = new ConcurrentHashMap<>();
    private final List<Socket> open = new ArrayList<>();
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final AtomicLong creation = new AtomicLong(System.currentTimeMillis() / 1000);
    private static final long ACCEPTOR_EXIT_MS = 2000;
    private volatile boolean closed;
    private volatile Thread acceptor;

    private static final class Registered {
        final NodeEntry entry;
        final Socket socket;

        Registered(NodeEntry entry, Socket socket) {
            this.entry = entry;
            this.socket = socket;
        }
    }

    private PortMapper(ServerSocket server) {
        this.server = server;
    }

    /**
     * Serves the port mapper on {@code address:port}; a null address: every address of the host.
     *
     * @throws IOException when the port is taken (another EPMD, or another node won the race)
     */
    public static PortMapper start(InetAddress address, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(address, port), 64);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        PortMapper m = new PortMapper(s);
        Thread t = new Thread(m::acceptLoop, "gencluster-epmd-server-" + port);
        t.setDaemon(true);
        m.acceptor = t;
        t.start();
        LOG.log(Level.INFO, "serving an embedded port mapper on {0}", s.getLocalSocketAddress());
        return m;
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;
            }
            if (closed) { // accepted while closing: a closed port mapper answers nobody
                close(s);
                return;
            }
            if (!slots.tryAcquire()) {
                close(s);
                continue;
            }
            synchronized (open) {
                open.add(s);
            }
            Thread t = new Thread(() -> {
                try {
                    serve(s);
                } finally {
                    synchronized (open) {
                        open.remove(s);
                    }
                    close(s);
                    slots.release();
                }
            }, "gencluster-epmd-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket s) {
        try {
            s.setSoTimeout(REQUEST_TIMEOUT_MS);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            byte[] request = EpmdCodec.readRequest(in);
            switch (Byte.toUnsignedInt(request[0])) {
                case EpmdCodec.ALIVE2_REQ:
                    alive(s, request, in);
                    break;
                case EpmdCodec.PORT_PLEASE2_REQ:
                    String name = new String(request, 1, request.length - 1, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "");
                    Registered r = registry.get(name);
                    s.getOutputStream().write(EpmdCodec.port2Response(r == null ? null : r.entry));
                    break;
                case EpmdCodec.NAMES_REQ:
                    List<NodeEntry> entries = new ArrayList<>();
                    registry.values().forEach(e -> entries.add(e.entry));
                    s.getOutputStream().write(EpmdCodec.namesResponse(port(), entries));
                    break;
                default:
                    // unknown request: close without a reply, as EPMD does
                    break;
            }
        } catch (SocketTimeoutException | EOFException e) {
            // an incomplete request: closed, as EPMD does after its packet timeout
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.DEBUG, "port mapper request from {0} rejected: {1}", s.getRemoteSocketAddress(), e.getMessage());
            }
        }
    }

    private void alive(Socket s, byte[] request, InputStream in) throws IOException {
        InetAddress peer = s.getInetAddress();
        if (!peer.isLoopbackAddress() && !peer.equals(s.getLocalAddress())) {
            return; // registrations from other hosts are ignored, as by EPMD
        }
        NodeEntry entry = EpmdCodec.parseAlive2Request(request);
        Registered mine = new Registered(entry, s);
        if (registry.putIfAbsent(entry.name, mine) != null) {
            s.getOutputStream().write(EpmdCodec.alive2Response(false, 99));
            return;
        }
        try {
            s.getOutputStream().write(EpmdCodec.alive2Response(true, creation.incrementAndGet()));
            s.setSoTimeout(0);
            in.read(); // held until the node closes it; any byte also unregisters, as with EPMD
        } catch (IOException e) {
            // the node went away: unregistered below
        } finally {
            registry.remove(entry.name, mine);
        }
    }

    /** Stops serving; every registration held here ends (their nodes see the connection close). */
    @Override
    public void close() {
        closed = true;
        close(server);
        // the listening socket is released only once the thread blocked in accept has left it: wait
        // for that, so that the port is free (and refuses connections) when close returns
        if (Thread.currentThread() != acceptor) {
            try {
                acceptor.join(ACCEPTOR_EXIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Socket> all;
        synchronized (open) {
            all = new ArrayList<>(open);
        }
        for (Socket s : all) {
            close(s);
        }
    }

    private static void close(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
