package io.gencluster.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of one node's port, for partitions: forwarding, it relays
 * both ways; as a black hole, it swallows every byte in both directions of every connection,
 * old and new, without closing them (a cable cut: no FIN, no RST, only silence, so the nodes must
 * find out by their heartbeats); {@link #heal()} closes the swallowed connections and relays new
 * ones again. At most {@link #MAX_CONNECTIONS} connections, two threads each; closed in teardown.
 */
final class LoopbackProxy implements AutoCloseable {

    static final int MAX_CONNECTIONS = 64;

    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean blackHole;
    private volatile boolean closed;

    LoopbackProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Swallows everything from now on, on every connection. */
    void blackHole() {
        blackHole = true;
    }

    /** Closes the connections swallowed so far, and relays new ones again. */
    void heal() {
        blackHole = false;
        closeAll();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket in = server.accept();
                if (sockets.size() >= 2 * MAX_CONNECTIONS) {
                    in.close();
                    continue;
                }
                sockets.add(in);
                if (blackHole) {
                    pump(in, null); // read and drop; never connect through
                    continue;
                }
                Socket out = new Socket();
                sockets.add(out);
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // a closed server ends the loop; a refused target closes that client
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to == null ? null : to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!blackHole && out != null) {
                        out.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // closed
            }
            close(from);
            if (to != null && !blackHole) {
                close(to); // a relayed close; a black hole passes nothing on, not even that
            }
        }, "proxy-pump-" + from.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    private void close(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private void closeAll() {
        for (Socket s : sockets) {
            close(s);
        }
        sockets.clear();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        closeAll();
    }
}
