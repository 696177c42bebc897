package io.gencluster.discovery.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A DNS responder on a loopback UDP port for unit tests, answering from records the test sets;
 * it can also answer SERVFAIL, answer garbage, or stay silent, to test every error path.
 */
final class TinyDnsServer implements AutoCloseable {

    enum Mode { NORMAL, SERVFAIL, GARBAGE, SILENT }

    private final DatagramSocket socket;
    private final Thread thread;
    final Map<String, List<Record>> records = new ConcurrentHashMap<>(); // key: "name./TYPE"
    volatile Mode mode = Mode.NORMAL;

    TinyDnsServer() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "tiny-dns");
        thread.setDaemon(true);
        thread.start();
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
                byte[] answer = answer(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or a bad query: keep serving until closed
            }
        }
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
    }
}
