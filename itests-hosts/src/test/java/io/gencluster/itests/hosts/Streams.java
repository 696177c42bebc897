package io.gencluster.itests.hosts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The message streams of one scenario: numbered messages from one node to a mailbox of another,
 * one per millisecond, started before a fault and stopped after the cluster healed. {@link #check}
 * holds them to the delivery guarantee — per pair in order and at most once, and a message lost
 * only at the tail of a connection whose drop the sender was told of (a node-down event) — and
 * sums what was sent, delivered, failed at the sender and lost in flight.
 */
final class Streams {

    static final long INTERVAL_MICROS = 1000;
    /** Slack between a send returning and the sender's down event being stamped (threads, clocks). */
    private static final long DOWN_SLACK_MS = 100;

    record Stream(HostNode from, String fromName, HostNode to, String toName) {
    }

    /** What all streams of a scenario came to. */
    record Totals(long sent, long delivered, long failed, long lostInFlight, long duplicated) {
    }

    private final String mailbox;
    private final Path dir;
    private final List<Stream> streams = new ArrayList<>();

    Streams(String mailbox, Path dir) {
        this.mailbox = mailbox;
        this.dir = dir;
    }

    /** Registers the mailbox on every receiver and starts every stream. */
    void start(HostCluster c, List<Host[]> pairs) {
        for (Host[] p : pairs) {
            streams.add(new Stream(c.node(p[0]), c.name(p[0]), c.node(p[1]), c.name(p[1])));
        }
        streams.stream().map(Stream::to).distinct().forEach(n -> n.mailbox(mailbox));
        for (Stream s : streams) {
            s.from().stream(s.toName(), mailbox, INTERVAL_MICROS);
        }
    }

    /** Stops every stream, reads both ends' records and checks them; returns the sums. */
    Totals stopAndCheck() throws IOException {
        long sent = 0;
        long delivered = 0;
        long failed = 0;
        long lost = 0;
        for (Stream s : streams) {
            String tag = s.fromName() + "-" + s.toName() + "-" + mailbox;
            Path sentFile = dir.resolve(tag.replace('@', '_') + ".sent");
            HostNode.StreamTotals totals = s.from().streamStop(s.toName(), mailbox, sentFile);
            List<StreamRecord.SentRun> runs = StreamRecord.readSent(sentFile);
            Path receivedFile = dir.resolve(tag.replace('@', '_') + ".received");
            // what is in flight when the sender stops arrives within a moment: wait for all accepted but lost ones
            List<StreamRecord.ReceivedRun> got = awaitSettled(s, runs, receivedFile);
            StreamRecord.assertInOrder(got);
            List<StreamRecord.Undelivered> undelivered = StreamRecord.undelivered(runs, got);
            for (StreamRecord.Undelivered u : undelivered) {
                check(s, u);
                lost += u.last() - u.first() + 1;
            }
            sent += totals.sent();
            failed += totals.failed();
            delivered += StreamRecord.count(got);
        }
        streams.stream().map(Stream::to).distinct().forEach(n -> n.mailboxClose(mailbox));
        return new Totals(sent, delivered, failed, lost, 0);
    }

    /** The receiver's runs once nothing more is on its way (what was accepted arrived or was lost with a down). */
    private List<StreamRecord.ReceivedRun> awaitSettled(Stream s, List<StreamRecord.SentRun> runs, Path file) throws IOException {
        long accepted = StreamRecord.count(runs, true);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (true) {
            s.to().received(mailbox, file);
            List<StreamRecord.ReceivedRun> got = StreamRecord.readReceived(file, s.fromName());
            boolean settled = StreamRecord.count(got) >= accepted
                    || StreamRecord.undelivered(runs, got).stream().allMatch(u -> explained(s, u));
            if (settled || System.nanoTime() - deadline > 0) {
                return got;
            }
            s.to().awaitReceived(mailbox, file, StreamRecord.count(got) + 1, java.time.Duration.ofMillis(200));
        }
    }

    private static boolean explained(Stream s, StreamRecord.Undelivered u) {
        return u.atTailOfRun() && downAfter(s, u.acceptedIn().tLast());
    }

    private static void check(Stream s, StreamRecord.Undelivered u) {
        if (!u.atTailOfRun()) {
            throw new AssertionError(s.fromName() + " -> " + s.toName() + ": seqs " + u.first() + ".." + u.last()
                    + " were accepted and lost in the middle of a connection (run " + u.acceptedIn() + ")");
        }
        if (!downAfter(s, u.acceptedIn().tLast())) {
            throw new AssertionError(s.fromName() + " -> " + s.toName() + ": seqs " + u.first() + ".." + u.last()
                    + " were accepted and lost, and the sender was never told (no node-down of " + s.toName()
                    + " after " + u.acceptedIn().tLast() + "; events " + s.from().events() + ")");
        }
    }

    /** Whether the sender saw the receiver go down at or after {@code t} (less the slack). */
    private static boolean downAfter(Stream s, long t) {
        return s.from().events().stream().anyMatch(e -> e.kind().equals("down") && e.node().equals(s.toName())
                && e.t() >= t - DOWN_SLACK_MS);
    }
}
