package io.gencluster.itests.hosts.probe;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of every send of one stream, as runs of consecutive seqs with the same outcome:
 * accepted ({@code ok}: {@code send} returned) or {@code failed}. A run also ends where the sender
 * heard its target go down (a new epoch), so the messages a dropped connection may have lost are
 * the tail of a run that ended at that down event. Runs beyond {@link #MAX_RUNS} are counted only.
 *
 * <p>File format (written by {@link #write}), one line per run, in seq order; times are
 * {@code System.currentTimeMillis()} when the first and the last send of the run returned:
 *
 * <pre>
 * ok 0 1499 1764625600000 1764625600750
 * failed 1500 1999 1764625600751 1764625601000
 * truncated N         N runs were not stored (absent when none)
 * </pre>
 *
 * Written by the stream's thread, read by the command reader: thread-safe.
 */
final class OutcomeRuns {

    /** Runs kept: a stream flapping at every send stays bounded. */
    static final int MAX_RUNS = 100_000;

    private final List<long[]> runs = new ArrayList<>(); // ok(1/0), first, last, tFirst, tLast, epoch
    private long sent;
    private long ok;
    private long truncated;

    synchronized void record(long seq, boolean accepted, int epoch, long time) {
        sent++;
        ok += accepted ? 1 : 0;
        long outcome = accepted ? 1 : 0;
        long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        if (last != null && last[0] == outcome && last[5] == epoch && last[2] + 1 == seq) {
            last[2] = seq;
            last[4] = time;
        } else if (runs.size() < MAX_RUNS) {
            runs.add(new long[] {outcome, seq, seq, time, time, epoch});
        } else {
            truncated++;
        }
    }

    synchronized long sent() {
        return sent;
    }

    /** {@code sent=N ok=N failed=N}. */
    synchronized String totals() {
        return "sent=" + sent + " ok=" + ok + " failed=" + (sent - ok);
    }

    /** Writes the record to {@code file}, replacing it. */
    synchronized void write(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            for (long[] r : runs) {
                w.write((r[0] == 1 ? "ok " : "failed ") + r[1] + " " + r[2] + " " + r[3] + " " + r[4] + "\n");
            }
            if (truncated > 0) {
                w.write("truncated " + truncated + "\n");
            }
        }
    }
}
