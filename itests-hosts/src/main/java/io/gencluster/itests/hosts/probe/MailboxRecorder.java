package io.gencluster.itests.hosts.probe;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records what one mailbox receives: per sending node, the runs of consecutive sequence numbers in
 * arrival order. A seq that is not the previous one from that sender plus one starts a new run, so
 * a gap, a duplicate or a reordering stays visible while a clean stream of a million messages
 * costs one run. Runs beyond {@link #MAX_RUNS} are counted, not stored.
 *
 * <p>File format (written by {@link #write}), one line per run, senders in the order they first
 * sent, runs in arrival order:
 *
 * <pre>
 * a@h 0 1999          from a@h: 0, 1, ..., 1999
 * malformed N         N payloads were not a decimal number (absent when none)
 * truncated N         N runs were not stored, MAX_RUNS being reached (absent when none)
 * </pre>
 *
 * Called from the mailbox's delivery thread and from the command reader: thread-safe.
 */
final class MailboxRecorder implements MessageHandler {

    /** Runs kept over all senders: a pathological stream (every seq out of order) stays bounded. */
    static final int MAX_RUNS = 100_000;

    private final Map<NodeName, List<long[]>> runs = new LinkedHashMap<>();
    private int stored;
    private long total;
    private long malformed;
    private long truncated;

    @Override
    public synchronized void message(NodeName from, byte[] payload) {
        total++;
        long seq = parse(payload);
        if (seq < 0) {
            malformed++;
            return;
        }
        List<long[]> mine = runs.computeIfAbsent(from, n -> new ArrayList<>());
        long[] last = mine.isEmpty() ? null : mine.get(mine.size() - 1);
        if (last != null && seq == last[1] + 1) {
            last[1] = seq;
        } else if (stored < MAX_RUNS) {
            mine.add(new long[] {seq, seq});
            stored++;
        } else {
            truncated++;
        }
    }

    /** Writes the record to {@code file} (replacing it) and returns how many messages arrived. */
    synchronized long write(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            for (Map.Entry<NodeName, List<long[]>> e : runs.entrySet()) {
                for (long[] run : e.getValue()) {
                    w.write(e.getKey() + " " + run[0] + " " + run[1] + "\n");
                }
            }
            if (malformed > 0) {
                w.write("malformed " + malformed + "\n");
            }
            if (truncated > 0) {
                w.write("truncated " + truncated + "\n");
            }
        }
        return total;
    }

    /** The payload as a non-negative decimal number, or -1 when it is not one. */
    private static long parse(byte[] payload) {
        if (payload.length == 0 || payload.length > 18) {
            return -1;
        }
        long n = 0;
        for (byte b : payload) {
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }
}
