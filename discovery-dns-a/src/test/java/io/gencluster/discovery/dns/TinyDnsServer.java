package io.gencluster.discovery.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A DNS responder on a loopback UDP port for unit tests, answering from records the test sets;
 * it can also answer SERVFAIL, answer garbage, or stay silent, to test every error path. Like a
 * real server, an answer larger than the client's UDP size (512 bytes, or its EDNS size) goes out
 * truncated (TC) over UDP, and whole over TCP on the same port number, so a test can give one
 * name as many records as a DNS message holds (64 KiB: about 4,000 A records).
 */
final class TinyDnsServer implements AutoCloseable {

    enum Mode { NORMAL, SERVFAIL, GARBAGE, SILENT }

    private final DatagramSocket socket;
    private final ServerSocket tcp;
    private final Thread thread;
    final Map<String, List<Record>> records = new ConcurrentHashMap<>(); // key: "name./TYPE"
    volatile Mode mode = Mode.NORMAL;

    TinyDnsServer() throws SocketException {
        DatagramSocket udp = null;
        ServerSocket stream = null;
        for (int attempt = 0; stream == null; attempt++) { // one port number for both, as a resolver expects
            udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                stream = new ServerSocket();
                stream.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort()));
            } catch (IOException taken) {
                udp.close();
                if (attempt == 20) {
                    throw new SocketException("no loopback port free for both UDP and TCP: " + taken);
                }
                stream = null;
            }
        }
        socket = udp;
        tcp = stream;
        thread = new Thread(this::serve, "tiny-dns");
        thread.setDaemon(true);
        thread.start();
        Thread tcpThread = new Thread(this::serveTcp, "tiny-dns-tcp");
        tcpThread.setDaemon(true);
        tcpThread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    void add(Record r) {
        records.computeIfAbsent(r.getName() + "/" + Type.string(r.getType()), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(r);
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] query = java.util.Arrays.copyOf(p.getData(), p.getLength());
                byte[] answer = answer(query);
                if (answer != null && answer.length > udpSize(query)) {
                    answer = truncated(query);
                }
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or a bad query: keep serving until closed
            }
        }
    }

    /** One query per connection, length-prefixed both ways (RFC 1035 4.2.2). */
    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket c = tcp.accept()) {
                c.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(c.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] answer = answer(query);
                if (answer != null) {
                    DataOutputStream out = new DataOutputStream(c.getOutputStream());
                    out.writeShort(answer.length);
                    out.write(answer);
                    out.flush();
                }
            } catch (IOException e) {
                // closed, or a bad query: keep serving until closed
            }
        }
    }

    private static int udpSize(byte[] query) throws IOException {
        OPTRecord opt = new Message(query).getOPT();
        return opt == null ? 512 : Math.max(512, opt.getPayloadSize());
    }

    /** The question alone, with TC set: the client asks again over TCP. */
    private static byte[] truncated(byte[] query) throws IOException {
        Message q = new Message(query);
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        r.getHeader().setFlag(Flags.TC);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        return r.toWire();
    }

    private byte[] answer(byte[] query) throws IOException {
        Message q = new Message(query);
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        Record question = q.getQuestion();
        r.addRecord(question, Section.QUESTION);
        switch (mode) {
            case SILENT:
                return null;
            case GARBAGE:
                byte[] bad = r.toWire();
                bad[7] = 3; // the header announces three answers that are not there
                return bad;
            case SERVFAIL:
                r.getHeader().setRcode(Rcode.SERVFAIL);
                return r.toWire();
            default:
                break;
        }
        Name name = question.getName();
        List<Record> found = records.get(name + "/" + Type.string(question.getType()));
        boolean exists = records.keySet().stream().anyMatch(k -> k.startsWith(name + "/"));
        if (found != null) {
            for (Record rec : found) {
                r.addRecord(rec, Section.ANSWER);
            }
        } else if (!exists) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        return r.toWire();
    }

    @Override
    public void close() {
        socket.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
