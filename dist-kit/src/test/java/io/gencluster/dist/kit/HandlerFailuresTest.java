package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.testing.LogLines;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandlerFailuresTest {

    private static final NodeName PEER = NodeName.parse("peer@127.0.0.1");
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theFirstFailureIsLoggedAtOnceAndTheRestOfItsPeriodAsOneCount() {
        try (LogLines log = new LogLines(HandlerFailuresTest.class)) {
            HandlerFailures f = new HandlerFailures(System.getLogger(HandlerFailuresTest.class.getName()), "orders\r\nforged", "queued");
            f.failed(PEER, new IllegalStateException("boom"), 0);
            for (int i = 1; i <= 1_000; i++) {
                f.failed(PEER, new IllegalStateException("boom"), i * 9 * SECOND / 1_000); // all within 9 s
            }
            assertEquals(1, log.lines.size(), log.lines.toString());
            assertTrue(log.lines.get(0).contains("handler of mailbox 'orders\\r\\nforged' (queued delivery) failed on a message from " + PEER),
                    log.lines.get(0));

            f.failed(PEER, new IllegalStateException("boom"), 11 * SECOND); // the period is over
            List<String> lines = log.lines;
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(1).contains("failed on 1,000 more message(s) in 10 s"), lines.get(1));
            assertTrue(lines.get(2).contains("failed on a message from"), lines.get(2));

            f.failed(PEER, new IllegalStateException("boom"), 30 * SECOND); // after a quiet period: at once, nothing to summarise
            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.get(3).contains("failed on a message from"), lines.get(3));
        }
    }
}
