package io.gencluster.itests.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gencluster.itests.hosts.StreamRecord.ReceivedRun;
import io.gencluster.itests.hosts.StreamRecord.SentRun;
import io.gencluster.itests.hosts.StreamRecord.Undelivered;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamRecordTest {

    @Test
    void theLostTailOfARunIsUndeliveredAndFailedSendsAreNot() {
        SentRun first = new SentRun(true, 0, 99, 1000, 1100);
        SentRun failed = new SentRun(false, 100, 149, 1100, 1200);
        SentRun second = new SentRun(true, 150, 199, 1200, 1300);
        List<ReceivedRun> received = List.of(new ReceivedRun("a@h", 0, 89), new ReceivedRun("a@h", 150, 159),
                new ReceivedRun("a@h", 170, 199));

        assertEquals(List.of(new Undelivered(90, 99, first), new Undelivered(160, 169, second)),
                StreamRecord.undelivered(List.of(first, failed, second), received));
        assertEquals(true, StreamRecord.undelivered(List.of(first), received).get(0).atTailOfRun());
        assertEquals(false, StreamRecord.undelivered(List.of(second), received).get(0).atTailOfRun());
    }

    @Test
    void aDuplicateOrAReorderingFailsTheOrderCheck() {
        StreamRecord.assertInOrder(List.of(new ReceivedRun("a@h", 0, 9), new ReceivedRun("a@h", 20, 29)));
        assertThrows(AssertionError.class,
                () -> StreamRecord.assertInOrder(List.of(new ReceivedRun("a@h", 0, 9), new ReceivedRun("a@h", 9, 9))));
        assertThrows(AssertionError.class,
                () -> StreamRecord.assertInOrder(List.of(new ReceivedRun("a@h", 5, 9), new ReceivedRun("a@h", 0, 4))));
    }
}
