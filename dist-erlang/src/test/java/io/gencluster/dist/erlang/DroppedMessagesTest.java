package io.gencluster.dist.erlang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.NodeName;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** Messages to mailboxes this node lacks: one line at the first, then one summary per period with a count per mailbox. */
class DroppedMessagesTest {

    @Test
    void dropsAreSummarisedPerPeriodWithACountPerMailbox() {
        AtomicLong now = new AtomicLong();
        NodeName a = NodeName.parse("a@h");
        NodeName b = NodeName.parse("b@h");
        try (LogCapture log = new LogCapture(Level.INFO)) {
            DroppedMessages d = new DroppedMessages(System.getLogger("io.gencluster.test.Dropped"), 10_000, now::get);
            d.dropped(a, "'orders'");
            for (int i = 0; i < 1200; i++) {
                d.dropped(a, "'orders'");
            }
            for (int i = 0; i < 4; i++) {
                d.dropped(b, "pid <0.81.0>");
            }
            d.dropped(b, "'bad\nname'");
            d.flush(); // the period is not over: nothing more
            now.addAndGet(TimeUnit.SECONDS.toNanos(10));
            d.flush();
            d.flush();
            List<String> lines = log.lines();
            assertEquals(List.of(
                    "WARNING io.gencluster.test.Dropped: message from a@h to 'orders' dropped: no such mailbox on this node"
                            + " (further drops summarised every 10 s)",
                    "WARNING io.gencluster.test.Dropped: dropped 1,205 more messages in 10 s for mailboxes not on this node:"
                            + " 'orders' 1,200 (last from a@h), pid <0.81.0> 4 (last from b@h), 'bad\\nname' 1 (last from b@h)"),
                    lines);
        }
    }
}
