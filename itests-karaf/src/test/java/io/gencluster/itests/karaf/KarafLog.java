package io.gencluster.itests.karaf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A Karaf instance's {@code data/log/karaf.log}, read as it grows: what an operator tails. The
 * gen-cluster bundles log through {@code System.Logger}, which Karaf's pax-logging routes into
 * this file: one line per node up, node down, discovery bound or gone, component started or
 * stopped. Lines are numbered from 0 in the order written; {@link #mark()} and the {@code from}
 * arguments make "after this step" precise.
 */
final class KarafLog {

    /** Far more than a test run writes (a few hundred lines); a runaway log fails instead of filling memory. */
    private static final int MAX_LINES = 200_000;
    private static final long POLL_MS = 100;

    private final Path file;
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long offset;

    KarafLog(Path file) {
        this.file = file;
    }

    /** The number of lines written so far: a later {@link #await} from here sees only what follows. */
    synchronized int mark() throws IOException {
        read();
        return lines.size();
    }

    /**
     * Waits until a line from line {@code from} on contains a match of {@code pattern}.
     *
     * @return the index of that line
     */
    synchronized int await(Pattern pattern, int from, Duration timeout, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            read();
            for (int i = from; i < lines.size(); i++) {
                if (pattern.matcher(lines.get(i)).find()) {
                    return i;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + ": no line matching /" + pattern + "/ (" + what + ") after line " + from
                        + " within " + timeout + "; last lines:\n" + tail(from));
            }
            wait(POLL_MS);
        }
    }

    /** How many lines so far contain a match of {@code pattern}. */
    synchronized long count(Pattern pattern) throws IOException {
        read();
        return lines.stream().filter(l -> pattern.matcher(l).find()).count();
    }

    /** The gen-cluster lines from {@code from} on (at most the last 40), for failure messages. */
    synchronized String tail(int from) {
        List<String> ours = lines.subList(Math.min(from, lines.size()), lines.size()).stream()
                .filter(l -> l.contains("gencluster") || l.contains("RefreshLoop") || l.contains("Cluster")
                        || l.contains("Tcp") || l.contains("Epmd") || l.contains("Discovery")
                        || l.contains("ERROR") || l.contains("WARN"))
                .toList();
        return String.join("\n", ours.subList(Math.max(0, ours.size() - 40), ours.size()));
    }

    private void read() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            if (length < offset) {
                throw new AssertionError(file + " shrank (rolled over?) from " + offset + " to " + length + " bytes");
            }
            byte[] fresh = new byte[(int) Math.min(length - offset, 16L * 1024 * 1024)];
            f.seek(offset);
            f.readFully(fresh);
            offset += fresh.length;
            // a line is complete at its newline byte (never part of a multi-byte UTF-8 character);
            // the rest waits for the next read
            int start = 0;
            for (int i = 0; i < fresh.length; i++) {
                if (fresh[i] == '\n') {
                    partial.write(fresh, start, i - start);
                    lines.add(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                    start = i + 1;
                    if (lines.size() > MAX_LINES) {
                        throw new AssertionError(file + " has more than " + MAX_LINES + " lines");
                    }
                }
            }
            partial.write(fresh, start, fresh.length - start);
        }
    }
}
