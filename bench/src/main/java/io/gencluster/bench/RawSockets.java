package io.gencluster.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * The baseline: a plain length-prefixed Java socket between two threads on loopback, doing the
 * same work as the transport with none of its features (no mailboxes, no queues, no ticks).
 */
final class RawSockets implements AutoCloseable {

    private final ServerSocket server;
    private final Socket client;
    private final Socket accepted;
    final DataOutputStream clientOut;
    final DataInputStream clientIn;
    final DataOutputStream serverOut;
    final DataInputStream serverIn;

    RawSockets() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        accepted = server.accept();
        client.setTcpNoDelay(true);
        accepted.setTcpNoDelay(true);
        clientOut = new DataOutputStream(new BufferedOutputStream(client.getOutputStream(), 64 * 1024));
        clientIn = new DataInputStream(new BufferedInputStream(client.getInputStream(), 64 * 1024));
        serverOut = new DataOutputStream(new BufferedOutputStream(accepted.getOutputStream(), 64 * 1024));
        serverIn = new DataInputStream(new BufferedInputStream(accepted.getInputStream(), 64 * 1024));
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
        client.close();
        accepted.close();
        server.close();
    }
}
