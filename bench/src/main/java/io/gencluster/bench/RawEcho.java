package io.gencluster.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The baseline's far side, in the peer JVM: the fastest plain socket a careful user would write.
 * Blocking {@code java.net.Socket} I/O, one thread per connection, TCP_NODELAY, frames of a 4-byte
 * length and the payload, through 64 KiB buffered streams. A connection's first byte says what it
 * does: {@link #SINK} reads frames (each into a {@code byte[]} of its own, as a message handed to
 * the application) and answers a 4-byte 0 to an empty frame, which ends a stream; {@link #ECHO}
 * sends every frame back at once (flushed per frame).
 */
final class RawEcho implements AutoCloseable {

    static final int SINK = 'S';
    static final int ECHO = 'E';
    static final int BUFFER = 64 * 1024;

    private final ServerSocket server;

    RawEcho() throws IOException {
        server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptAll, "raw-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptAll() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "raw-" + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), BUFFER));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), BUFFER));
            int mode = in.read();
            while (true) {
                byte[] frame = readFrame(in);
                if (mode == ECHO) {
                    writeFrame(out, frame);
                    out.flush();
                } else if (frame.length == 0) {
                    out.writeInt(0);
                    out.flush();
                }
            }
        } catch (EOFException e) {
            // the benchmark closed the connection
        } catch (IOException e) {
            System.err.println("raw baseline connection failed: " + e);
        }
    }

    static byte[] readFrame(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }

    static void writeFrame(DataOutputStream out, byte[] payload) throws IOException {
        out.writeInt(payload.length);
        out.write(payload);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
