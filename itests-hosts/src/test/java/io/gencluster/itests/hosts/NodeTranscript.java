package io.gencluster.itests.hosts;

import io.gencluster.itests.hosts.HostNode.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What one node printed on stdout, as the test waits on it: the recent lines (for command
 * replies), the probe's events, the membership last reported and its READY. Lines are added by
 * the node's stdout reader; tests wait on this object's monitor, never sleep. A wait that fails
 * says what it waited for, with the last stdout lines and the last lines of the node's log.
 */
final class NodeTranscript {

    private static final int MAX_LINES = 10_000;
    private static final int MAX_EVENTS = 100_000;
    private static final int STDOUT_TAIL = 20;
    private static final int LOG_TAIL = 30;

    private final String name;
    private final Path logFile;
    private final Supplier<String> status;
    // guarded by this
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private long lineCount;
    private final List<Event> events = new ArrayList<>();
    private final Set<String> members = new TreeSet<>();
    private String readySelf;
    private boolean ended;

    /** @param status the process's state, for failure messages ("exit status 137") */
    NodeTranscript(String name, Path logFile, Supplier<String> status) {
        this.name = name;
        this.logFile = logFile;
        this.status = status;
    }

    synchronized void add(String line) {
        lines.addLast(line);
        if (lines.size() > MAX_LINES) {
            lines.removeFirst();
        }
        lineCount++;
        String[] w = line.split(" ", 6);
        if (line.startsWith("PROBE READY ") && w.length > 2) {
            readySelf = w[2];
        } else if (line.startsWith("PROBE MEMBERS ")) {
            members.clear();
            if (w.length > 3 && !w[3].isEmpty()) {
                members.addAll(Arrays.asList(w[3].split(",")));
            }
        } else if (line.startsWith("PROBE EVENT ") && w.length > 4) {
            Event e = new Event(Long.parseLong(w[2]), w[3], w[4], w.length > 5 ? w[5] : "");
            if (events.size() < MAX_EVENTS) {
                events.add(e);
            }
            if (e.kind().equals("up")) {
                members.add(e.node());
            } else if (e.kind().equals("down")) {
                members.remove(e.node());
            }
        }
        notifyAll();
    }

    /** The node's stdout is closed: every wait fails from now on. */
    synchronized void ended() {
        ended = true;
        notifyAll();
    }

    synchronized long mark() {
        return lineCount;
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized Set<String> members() {
        return Set.copyOf(members);
    }

    synchronized String readySelf() {
        return readySelf;
    }

    /** The first line with index >= mark (0 = the first line) starting with prefix; a PROBE ERROR after mark fails. */
    String awaitLineAfter(long mark, String prefix, Duration timeout, String what) {
        return await(() -> {
            long index = lineCount - lines.size();
            for (String l : lines) {
                if (index++ >= mark) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                    if (l.startsWith("PROBE ERROR")) {
                        throw failure(what + ", got '" + l + "'", timeout);
                    }
                }
            }
            return null;
        }, timeout, what);
    }

    /** Waits until {@code value} (called under this monitor, woken by every line) gives a result. */
    synchronized <T> T await(Supplier<T> value, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (T v = value.get(); ; v = value.get()) {
            if (v != null) {
                return v;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                throw failure(what, timeout);
            }
            waitNanos(left);
        }
    }

    /** Waits for the next line, at most {@code nanos}; for state the node does not announce, asked again after it. */
    synchronized void awaitNextLine(long nanos) {
        long before = lineCount;
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; lineCount == before && !ended && left > 0; left = deadline - System.nanoTime()) {
            waitNanos(left);
        }
    }

    synchronized boolean isEnded() {
        return ended;
    }

    synchronized AssertionError failure(String what, Duration timeout) {
        StringBuilder b = new StringBuilder(name);
        if (ended) {
            b.append(": the node's stdout ended (").append(status.get()).append(") before ").append(what);
        } else {
            b.append(": no ").append(what).append(" within ").append(timeout);
        }
        b.append("\n--- last stdout lines:\n");
        lines.stream().skip(Math.max(0, lines.size() - STDOUT_TAIL)).forEach(l -> b.append(l).append('\n'));
        b.append("--- last lines of ").append(logFile).append(":\n");
        try {
            List<String> log = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            log.subList(Math.max(0, log.size() - LOG_TAIL), log.size()).forEach(l -> b.append(l).append('\n'));
        } catch (IOException | RuntimeException e) {
            b.append("(unreadable: ").append(e).append(")\n");
        }
        return new AssertionError(b.toString());
    }

    private void waitNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted while waiting", e);
        }
    }
}
