package io.gencluster.itests.hosts.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutcomeRunsTest {

    @TempDir
    Path dir;

    @Test
    void aRunEndsWhereTheOutcomeChangesOrTheTargetWentDown() throws Exception {
        OutcomeRuns runs = new OutcomeRuns();
        runs.record(0, true, 0, 100);
        runs.record(1, true, 0, 101);
        runs.record(2, true, 1, 102); // the target went down before this send
        runs.record(3, false, 1, 103);
        runs.record(4, false, 1, 104);
        runs.record(5, true, 1, 105);

        Path file = dir.resolve("sent");
        runs.write(file);
        assertEquals(List.of("ok 0 1 100 101", "ok 2 2 102 102", "failed 3 4 103 104", "ok 5 5 105 105"), Files.readAllLines(file));
        assertEquals("sent=6 ok=4 failed=2", runs.totals());
    }
}
