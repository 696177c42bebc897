package io.gencluster.epmd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Talks to the EPMD of one host: one request per connection, as EPMD wants, every connect and
 * read bounded by the timeout.
 */
@ProviderType
public final class EpmdClient {

    /** A configured EPMD port, where -1 (every transport's and strategy's default) means {@link #defaultPort()}. */
    public static int portOrDefault(int configured) {
        return configured == -1 ? defaultPort() : configured;
    }

    /** EPMD's port: {@code ERL_EPMD_PORT} when set (as Erlang does), else 4369. */
    public static int defaultPort() {
        String env = System.getenv("ERL_EPMD_PORT");
        if (env != null && !env.isBlank()) {
            try {
                int p = Integer.parseInt(env.trim());
                if (p > 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the standard port
            }
        }
        return 4369;
    }

    private final String host;
    private final int port;
    private final int timeoutMs;

    public EpmdClient(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /** NAMES: every name registered on this host, with its port. */
    public Map<String, Integer> names() throws IOException {
        try (Socket s = open()) {
            send(s, EpmdCodec.namesRequest());
            return EpmdCodec.parseNamesResponse(EpmdCodec.readToEnd(s.getInputStream(), EpmdCodec.MAX_NAMES_REPLY,
                    "NAMES reply from " + where()), where());
        } catch (SocketTimeoutException e) {
            throw new EpmdException("EPMD at " + where() + " did not answer NAMES within " + timeoutMs + " ms", e);
        }
    }

    /** PORT_PLEASE2: what EPMD knows of {@code name}, or null when it is not registered. */
    public NodeEntry portPlease(String name) throws IOException {
        try (Socket s = open()) {
            send(s, EpmdCodec.portPlease2Request(name));
            return EpmdCodec.parsePort2Response(EpmdCodec.readToEnd(s.getInputStream(), 4 + 14 + 2 * EpmdCodec.MAX_NAME_BYTES,
                    "PORT_PLEASE2 reply from " + where()), name);
        } catch (SocketTimeoutException e) {
            throw new EpmdException("EPMD at " + where() + " did not answer PORT_PLEASE2 " + name + " within " + timeoutMs + " ms", e);
        }
    }

    /**
     * Whether a real EPMD answers here: it answers DUMP with at least its port, where the embedded
     * {@link PortMapper} closes the connection without a reply.
     *
     * @throws IOException nothing answers, or it did not close nor reply within the timeout
     */
    public boolean isRealEpmd() throws IOException {
        try (Socket s = open()) {
            send(s, EpmdCodec.dumpRequest());
            return EpmdCodec.readToEnd(s.getInputStream(), EpmdCodec.MAX_NAMES_REPLY, "DUMP reply from " + where()).length >= 4;
        } catch (SocketTimeoutException e) {
            throw new EpmdException("EPMD at " + where() + " did not answer DUMP within " + timeoutMs + " ms", e);
        }
    }

    /**
     * ALIVE2: registers {@code entry}; the registration lasts until the returned object is closed,
     * or the connection breaks (then {@code onLost} runs once, on the registration's thread).
     */
    public Registration register(NodeEntry entry, Runnable onLost) throws IOException {
        Socket s = open();
        try {
            send(s, EpmdCodec.alive2Request(entry));
            long creation = EpmdCodec.readAlive2Response(s.getInputStream(), entry.name);
            s.setSoTimeout(0); // the connection now stays open, silent, for as long as we are registered
            return new Registration(entry, s, creation, onLost);
        } catch (IOException | RuntimeException e) {
            s.close();
            if (e instanceof SocketTimeoutException) {
                throw new EpmdException("EPMD at " + where() + " did not answer ALIVE2 within " + timeoutMs + " ms", e);
            }
            throw e;
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            s.close();
            throw new NoEpmdException("no EPMD at " + where() + ": " + e.getMessage(), e);
        }
    }

    private static void send(Socket s, byte[] request) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(request);
        out.flush();
    }

    private String where() {
        return host + ":" + port;
    }

    /** A live ALIVE2 registration. */
    @ProviderType
    public static final class Registration implements AutoCloseable {
        public final long creation;
        private final Socket socket;
        private volatile boolean closed;

        private Registration(NodeEntry entry, Socket socket, long creation, Runnable onLost) {
            this.socket = socket;
            this.creation = creation;
            Thread watch = new Thread(() -> {
                try {
                    InputStream in = socket.getInputStream();
                    in.read(); // EPMD never writes again: any return means the connection ended
                } catch (IOException ignored) {
                    // closed or reset: the registration is gone either way
                }
                if (!closed) {
                    closed = true;
                    closeQuietly();
                    onLost.run();
                }
            }, "gencluster-epmd-alive-" + entry.name);
            watch.setDaemon(true);
            watch.start();
        }

        /** Whether the registration still holds. */
        public boolean isActive() {
            return !closed;
        }

        /** Unregisters (closing the connection is how EPMD is told). */
        @Override
        public void close() {
            closed = true;
            closeQuietly();
        }

        private void closeQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
