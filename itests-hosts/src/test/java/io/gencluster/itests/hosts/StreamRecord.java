package io.gencluster.itests.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the probe's two record files and holds the checks the fault tests make on them.
 *
 * <ul>
 * <li>A sender's record ({@code stream-stop}): {@code ok|failed <first> <last> <tFirst> <tLast>},
 * one line per run of seqs with the same outcome, in seq order; an {@code ok} run ends where the
 * sender heard its target go down, so messages a dropped connection lost are the tail of a run.</li>
 * <li>A receiver's record ({@code received}): {@code <from> <first> <last>}, one line per run of
 * consecutive seqs from one sender, in arrival order per sender.</li>
 * </ul>
 *
 * The guarantee checked: per pair of nodes, delivery is in order and at most once; a message may be
 * lost only when the connection carrying it dropped, which the sender hears as a down event.
 */
public final class StreamRecord {

    /** A run of sends with one outcome; times are when the first and last send returned. */
    public record SentRun(boolean ok, long first, long last, long tFirst, long tLast) {
    }

    /** A run of consecutive seqs that arrived from {@code from}. */
    public record ReceivedRun(String from, long first, long last) {
        public long count() {
            return last - first + 1;
        }
    }

    /** Seqs {@code first..last} were accepted (in {@code acceptedIn}) but never arrived. */
    public record Undelivered(long first, long last, SentRun acceptedIn) {
        /** Lost at the end of its run: the loss of a dropped connection, not a hole in a live one. */
        public boolean atTailOfRun() {
            return last == acceptedIn.last();
        }
    }

    private StreamRecord() {
    }

    public static List<SentRun> readSent(Path file) throws IOException {
        List<SentRun> runs = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] w = line.split(" ");
            if (w.length != 5 || !(w[0].equals("ok") || w[0].equals("failed"))) {
                throw new AssertionError(file + ": not a full sender's record, line '" + line + "'");
            }
            runs.add(new SentRun(w[0].equals("ok"), Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
                    Long.parseLong(w[4])));
        }
        return runs;
    }

    /** The receiver's runs from {@code from} only, in arrival order. */
    public static List<ReceivedRun> readReceived(Path file, String from) throws IOException {
        List<ReceivedRun> runs = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] w = line.split(" ");
            if (w.length != 3 || !w[0].contains("@")) {
                throw new AssertionError(file + ": not a full receiver's record, line '" + line + "'");
            }
            if (w[0].equals(from)) {
                runs.add(new ReceivedRun(w[0], Long.parseLong(w[1]), Long.parseLong(w[2])));
            }
        }
        return runs;
    }

    public static long count(List<ReceivedRun> runs) {
        return runs.stream().mapToLong(ReceivedRun::count).sum();
    }

    /** Every seq from one sender arrived after every smaller one, and once: no duplicate, no reordering. */
    public static void assertInOrder(List<ReceivedRun> runs) {
        for (int i = 1; i < runs.size(); i++) {
            ReceivedRun before = runs.get(i - 1);
            ReceivedRun run = runs.get(i);
            if (run.first() <= before.last()) {
                throw new AssertionError("from " + run.from() + ": " + run.first() + ".." + run.last() + " arrived after "
                        + before.first() + ".." + before.last() + (run.first() == before.last() ? " (a duplicate)" : " (reordered)"));
            }
        }
    }

    /** Sends that failed or were accepted, counted from the runs. */
    public static long count(List<SentRun> runs, boolean ok) {
        return runs.stream().filter(r -> r.ok() == ok).mapToLong(r -> r.last() - r.first() + 1).sum();
    }

    /**
     * The accepted seqs that never arrived, as runs, each with the sender's run that accepted it
     * (its times bound when they were sent). The test checks each is {@link Undelivered#atTailOfRun}
     * and that its run ended before a down event the sender saw for the receiver.
     */
    public static List<Undelivered> undelivered(List<SentRun> sent, List<ReceivedRun> received) {
        List<long[]> got = new ArrayList<>();
        received.stream().sorted(Comparator.comparingLong(ReceivedRun::first)).forEach(r -> got.add(new long[] {r.first(), r.last()}));
        List<Undelivered> lost = new ArrayList<>();
        for (SentRun run : sent) {
            if (!run.ok()) {
                continue;
            }
            long next = run.first(); // the first seq of the run not yet known to have arrived
            for (long[] g : got) {
                if (g[1] < next || g[0] > run.last()) {
                    continue;
                }
                if (g[0] > next) {
                    lost.add(new Undelivered(next, g[0] - 1, run));
                }
                next = Math.max(next, g[1] + 1);
            }
            if (next <= run.last()) {
                lost.add(new Undelivered(next, run.last(), run));
            }
        }
        return lost;
    }
}
