package io.gencluster.dist.tcp;

import io.gencluster.dist.kit.Mailboxes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Hands the messages a read brought to their mailboxes, each run of messages to one mailbox at
 * once. When a mailbox is full its connection is parked: it stops reading, keeping the rest, until
 * the mailbox makes room or the wait is over, when the messages to that mailbox are dropped
 * (delivery is at most once). Selector thread only.
 */
final class MailboxDelivery {

    /** How soon the loop looks again at a parked connection, should no wake-up come first. */
    static final long PARKED_RETRY_MS = 5;
    /**
     * Messages in a batch from which the next batch gets new arrays rather than the same ones
     * emptied. A connection's arrays live long, so the collector has moved them out of the young
     * generation, and storing each newly read message into such an array costs a memory fence (the
     * collector marks the card that now points at a young object); a new array takes the stores
     * of a whole stream's batch without one. A request or a reply reuses the arrays. The arrays
     * are dropped, and made again by the reading of the next DATA frame.
     */
    static final int FRESH_AFTER = 64;

    private final Mailboxes mailboxes;
    private final Clock clock;
    private final long mailboxWaitMs;
    private final List<Connection> parked = new ArrayList<>();

    MailboxDelivery(Mailboxes mailboxes, Clock clock, long mailboxWaitMs) {
        this.mailboxes = mailboxes;
        this.clock = clock;
        this.mailboxWaitMs = mailboxWaitMs;
    }

    /**
     * Hands the messages read so far to their mailboxes; parks the connection at the first mailbox
     * that is full.
     *
     * @param wake whether to wake the mailboxes' threads now; false in the middle of a read, when
     *     the end of the read will (a thread woken per batch in a stream preempts this one each time)
     * @return true when every message was handed over
     */
    boolean handOver(Connection c, boolean wake) {
        String[] boxes = c.batchBoxes;
        int i = c.batchStart;
        int end = c.batchEnd;
        while (i < end) {
            String box = boxes[i];
            int j = runEnd(c, i);
            i += mailboxes.offer(c.peer, box, c.batchPayloads, i, j, wake);
            if (i < j) {
                c.batchStart = i;
                if (!c.parked) {
                    c.parked = true;
                    c.parkedSince = clock.millis();
                    parked.add(c);
                }
                mailboxes.wakeDeferred(); // the read ends here
                return false;
            }
        }
        if (wake) {
            mailboxes.wakeDeferred();
        }
        if (end >= FRESH_AFTER) {
            c.batchBoxes = null; // the next DATA frame's reading makes new ones (InboundFrames)
            c.batchPayloads = null;
        } else if (end > 0) {
            Arrays.fill(boxes, 0, end, null);
            Arrays.fill(c.batchPayloads, 0, end, null);
        }
        if (end > 0) {
            c.batchStart = 0;
            c.batchEnd = 0;
            c.batchBytes = 0;
        }
        return true;
    }

    boolean hasParked() {
        return !parked.isEmpty();
    }

    /**
     * The parked connections, longest waiting first, so that none is starved by another that
     * refills the mailbox: each is retried only through {@link #resume}, in this order.
     */
    List<Connection> longestParkedFirst() {
        parked.sort(Comparator.comparingLong(c -> c.parkedSince));
        return List.copyOf(parked);
    }

    /**
     * Hands over what a parked connection holds if there is room now, dropping the messages to a
     * mailbox that stayed full past the wait. True when the connection is unparked and open: its
     * reading goes on.
     */
    boolean resume(Connection c, long now) {
        if (!c.isClosed()) {
            if (!handOver(c, true)) {
                if (now - c.parkedSince < mailboxWaitMs) {
                    return false;
                }
                dropBlocked(c);
                c.parkedSince = now; // another mailbox of the batch gets a wait of its own
                if (!handOver(c, true)) {
                    return false;
                }
            }
            c.lastRead = now; // waiting on our own mailbox says nothing against the peer
        }
        c.parked = false;
        parked.remove(c);
        return !c.isClosed();
    }

    /** Gives up on the messages to the mailbox that stayed full (delivery is at most once). */
    private void dropBlocked(Connection c) {
        int j = runEnd(c, c.batchStart);
        Arrays.fill(c.batchPayloads, c.batchStart, j, null);
        mailboxes.drop(c.peer, c.batchBoxes[c.batchStart], j - c.batchStart);
        c.batchStart = j;
    }

    /** The end of the run of batched messages to one mailbox that starts at {@code from}. */
    private static int runEnd(Connection c, int from) {
        String box = c.batchBoxes[from];
        int j = from + 1;
        while (j < c.batchEnd && c.batchBoxes[j] == box) { // one String per name and connection (Connection.mailboxName)
            j++;
        }
        return j;
    }
}
