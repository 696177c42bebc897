package io.gencluster.itests.hosts.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.NodeName;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailboxRecorderTest {

    private static final NodeName A = NodeName.parse("a@h");
    private static final NodeName B = NodeName.parse("b@h");

    @TempDir
    Path dir;

    @Test
    void consecutiveSeqsAreOneRunAndAGapADuplicateOrAReorderingStartsAnother() throws Exception {
        MailboxRecorder r = new MailboxRecorder();
        for (String seq : List.of("0", "1", "2", "2", "5", "4", "6", "x")) {
            r.message(A, seq.getBytes(StandardCharsets.US_ASCII));
        }
        r.message(B, "7".getBytes(StandardCharsets.US_ASCII));
        r.message(A, "7".getBytes(StandardCharsets.US_ASCII));

        Path file = dir.resolve("received");
        assertEquals(10, r.write(file));
        assertEquals(List.of("a@h 0 2", "a@h 2 2", "a@h 5 5", "a@h 4 4", "a@h 6 7", "b@h 7 7", "malformed 1"),
                Files.readAllLines(file));
    }
}
