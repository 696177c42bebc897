package io.gencluster.itests.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The streams of a rolling restart, node i to node i+1 (mod n), cut into segments: a segment is
 * one stream between one incarnation of its sender and one of its receiver, into a mailbox of its
 * own (a restarted node has a new probe, and its seqs start again at 0). A segment ends either
 * with both ends up (the test stops it, then everything accepted must arrive) or because its
 * receiver was stopped (then what was accepted and not delivered must be the tail of a run the
 * sender ended at a down event, and sends may fail only from the receiver's stop on).
 */
final class StreamSegments {

    /** Between a connection dropping (the next send fails) and its down event being stamped. */
    private static final long DOWN_STAMP_SLACK_MS = 100;


    static final String MAILBOX = "rr";
    static final long INTERVAL_MICROS = 1000;
    private static final Duration DRAIN = Duration.ofSeconds(30);

    /** One stream between two incarnations; the files and totals are set when it ends. */
    static final class Segment {
        final Host from;
        final Host to;
        final HostNode sender;
        final HostNode receiver;
        final String senderName;
        final String receiverName;
        final String mailbox;
        long receiverStoppedAt = Long.MAX_VALUE;
        Path sentFile;
        Path receivedFile;
        HostNode.StreamTotals totals;

        private Segment(HostCluster c, Host from, Host to, String mailbox) {
            this.from = from;
            this.to = to;
            this.sender = c.node(from);
            this.receiver = c.node(to);
            this.senderName = c.name(from);
            this.receiverName = c.name(to);
            this.mailbox = mailbox;
        }

        String stream() {
            return from.name() + "-" + to.name();
        }
    }

    private final HostCluster cluster;
    private final Path dir;
    private final Map<Host, Segment> open = new LinkedHashMap<>();
    private final List<Segment> ended = new ArrayList<>();
    private int generation;

    StreamSegments(HostCluster cluster, Path dir) {
        this.cluster = cluster;
        this.dir = dir;
    }

    /** The host node {@code from} streams to. */
    Host next(Host from) {
        List<Host> hosts = cluster.hosts();
        return hosts.get(from.index() % hosts.size());
    }

    /** The host that streams to {@code to}. */
    Host previous(Host to) {
        List<Host> hosts = cluster.hosts();
        return hosts.get((to.index() + hosts.size() - 2) % hosts.size());
    }

    /** A new mailbox on the receiver, then the stream into it from {@code from}'s node. */
    void start(Host from) {
        Segment s = new Segment(cluster, from, next(from), MAILBOX + (++generation));
        s.receiver.mailbox(s.mailbox);
        s.sender.stream(s.receiverName, s.mailbox, INTERVAL_MICROS);
        open.put(from, s);
    }

    /** Stops {@code from}'s stream while both ends run; waits until all it accepted arrived. */
    void stopDelivered(Host from) throws IOException {
        Segment s = open.remove(from);
        s.sentFile = dir.resolve(s.mailbox + "-" + s.stream() + ".sent");
        s.receivedFile = dir.resolve(s.mailbox + "-" + s.stream() + ".received");
        s.totals = s.sender.streamStop(s.receiverName, s.mailbox, s.sentFile);
        s.receiver.awaitReceived(s.mailbox, s.receivedFile, s.totals.ok(), DRAIN);
        ended.add(s);
    }

    /** Before the receiver {@code to} is stopped: what its mailbox holds now, which is all it will get. */
    Segment snapshotBeforeReceiverStops(Host to) {
        Segment s = open.get(previous(to));
        s.receivedFile = dir.resolve(s.mailbox + "-" + s.stream() + ".received");
        s.receiver.received(s.mailbox, s.receivedFile);
        return s;
    }

    /** After the receiver of {@code s} was stopped at {@code stoppedAt}: once the sender saw it down, stops the stream. */
    void stopAfterReceiverDown(Segment s, long stoppedAt, Duration timeout) {
        s.receiverStoppedAt = stoppedAt;
        s.sender.awaitEvent(e -> e.kind().equals("down") && e.node().equals(s.receiverName) && e.t() >= stoppedAt, timeout);
        open.remove(s.from);
        s.sentFile = dir.resolve(s.mailbox + "-" + s.stream() + ".sent");
        s.totals = s.sender.streamStop(s.receiverName, s.mailbox, s.sentFile);
        ended.add(s);
    }

    /** Stops every stream still running (all ends up). */
    void stopAll() throws IOException {
        for (Host from : new ArrayList<>(open.keySet())) {
            stopDelivered(from);
        }
    }

    /**
     * Checks every segment; returns per stream (h1-h2) sent, accepted, failed, delivered and
     * unconfirmed: accepted but not in the receiver's record, which for a stream into a stopped node
     * is read just before its SIGTERM, so it is an upper bound of what the stop lost.
     */
    Map<String, long[]> check() throws IOException {
        Map<String, long[]> totals = new LinkedHashMap<>();
        for (Segment s : ended) {
            List<StreamRecord.SentRun> sent = StreamRecord.readSent(s.sentFile);
            List<StreamRecord.ReceivedRun> got = StreamRecord.readReceived(s.receivedFile, s.senderName);
            String what = s.stream() + " (" + s.mailbox + ", " + s.sentFile + ")";
            StreamRecord.assertInOrder(got);
            long accepted = StreamRecord.count(sent, true);
            long failed = StreamRecord.count(sent, false);
            long delivered = StreamRecord.count(got);
            assertEquals(s.totals.ok(), accepted, what + ": the record's accepted sends");
            assertTrue(delivered <= accepted, what + ": " + delivered + " delivered of " + accepted + " accepted");
            for (StreamRecord.SentRun r : sent) {
                assertTrue(r.ok() || r.tFirst() >= s.receiverStoppedAt,
                        what + ": sends failed while both ends ran: " + r);
            }
            List<StreamRecord.Undelivered> lost = StreamRecord.undelivered(sent, got);
            if (s.receiverStoppedAt == Long.MAX_VALUE) {
                assertEquals(List.of(), lost, what + ": accepted and never delivered, both ends up");
            }
            for (StreamRecord.Undelivered u : lost) {
                assertTrue(u.atTailOfRun(), what + ": a hole inside a run: " + u);
                long runStart = u.acceptedIn().tFirst();
                int i = sent.indexOf(u.acceptedIn());
                long nextSend = i + 1 < sent.size() ? sent.get(i + 1).tFirst() : Long.MAX_VALUE;
                List<HostNode.Event> downs = s.sender.events().stream()
                        .filter(e -> e.kind().equals("down") && e.node().equals(s.receiverName)).toList();
                // the receiver went down while the run went on: by the time the next send was made. The
                // transport drops the connection (sends fail from then on) a moment before it stamps the
                // event: a failure at t and a down stamped at t + 1 ms are one drop (seen: 120 and 121)
                assertTrue(downs.stream().anyMatch(e -> e.t() >= runStart && e.t() <= nextSend + DOWN_STAMP_SLACK_MS),
                        what + ": no down event of the receiver ended the run of " + u + "; next send at " + nextSend
                                + ", the sender's down events of it: " + downs);
                System.out.printf("%s: %d..%d undelivered, run %d..%d sent until %d, next send %d, down events at %s%n", what,
                        u.first(), u.last(), u.acceptedIn().first(), u.acceptedIn().last(), u.acceptedIn().tLast(), nextSend,
                        downs.stream().map(e -> String.valueOf(e.t())).toList());
            }
            long undelivered = lost.stream().mapToLong(u -> u.last() - u.first() + 1).sum();
            long[] t = totals.computeIfAbsent(s.stream(), k -> new long[5]);
            t[0] += s.totals.sent();
            t[1] += accepted;
            t[2] += failed;
            t[3] += delivered;
            t[4] += undelivered;
        }
        return totals;
    }
}
