package io.gencluster.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/**
 * The baseline's near side: one connection streaming to the peer JVM's {@link RawEcho#SINK}, one
 * playing ping-pong with its {@link RawEcho#ECHO}, each used by the one benchmark thread (blocking
 * I/O, TCP_NODELAY, 64 KiB buffered streams). A stream is written through the buffer, flushed only
 * when full and at the end, as a careful user batches; a ping is flushed at once.
 */
final class RawBaseline implements AutoCloseable {

    private final Link sink;
    private final Link echo;

    /** One connection: its socket and buffered streams. */
    private record Link(Socket socket, DataInputStream in, DataOutputStream out) {
        static Link open(int port, int mode) throws IOException {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setTcpNoDelay(true);
            Link l = new Link(s, new DataInputStream(new BufferedInputStream(s.getInputStream(), RawEcho.BUFFER)),
                    new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), RawEcho.BUFFER)));
            l.out.write(mode);
            return l;
        }
    }

    RawBaseline(int port) throws IOException {
        sink = Link.open(port, RawEcho.SINK);
        echo = Link.open(port, RawEcho.ECHO);
    }

    /** Messages per second: {@code count} frames and an empty one, until the peer answers that one. */
    double stream(byte[] payload, int count) throws IOException {
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            RawEcho.writeFrame(sink.out, payload);
        }
        RawEcho.writeFrame(sink.out, new byte[0]);
        sink.out.flush();
        if (sink.in.readInt() != 0) {
            throw new IOException("unexpected answer from the raw sink");
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** Round trips' times in nanoseconds, one ping at a time. */
    long[] ping(byte[] payload, int pings) throws IOException {
        long[] rtt = new long[pings];
        for (int i = 0; i < pings; i++) {
            long t = System.nanoTime();
            RawEcho.writeFrame(echo.out, payload);
            echo.out.flush();
            RawEcho.readFrame(echo.in);
            rtt[i] = System.nanoTime() - t;
        }
        return rtt;
    }

    @Override
    public void close() throws IOException {
        sink.socket.close();
        echo.socket.close();
    }
}
