package io.gencluster.discovery.epmdall;

import io.gencluster.epmd.EpmdCodec;
import io.gencluster.epmd.NodeEntry;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An EPMD on a loopback port answering NAMES and PORT_PLEASE2 from the entries a test sets, for
 * more names than the embedded port mapper holds registrations; counts the PORT_PLEASE2 requests.
 */
final class FakeEpmd implements AutoCloseable {

    final Map<String, NodeEntry> entries = new ConcurrentHashMap<>();
    final AtomicInteger portPleaseRequests = new AtomicInteger();
    private final ServerSocket server;

    FakeEpmd() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(this::serve, "fake-epmd");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket c = server.accept()) {
                c.setSoTimeout(5000);
                byte[] body = EpmdCodec.readRequest(new DataInputStream(c.getInputStream()));
                byte[] reply;
                if (body[0] == EpmdCodec.NAMES_REQ) {
                    reply = EpmdCodec.namesResponse(port(), List.copyOf(entries.values()));
                } else if (body[0] == EpmdCodec.PORT_PLEASE2_REQ) {
                    portPleaseRequests.incrementAndGet();
                    reply = EpmdCodec.port2Response(entries.get(new String(Arrays.copyOfRange(body, 1, body.length), StandardCharsets.UTF_8)));
                } else {
                    continue; // anything else: closed without a reply
                }
                c.getOutputStream().write(reply);
            } catch (IOException e) {
                // closed, or a bad request: keep serving until closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
