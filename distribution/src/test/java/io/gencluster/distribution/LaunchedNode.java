package io.gencluster.distribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A node's process and what it printed on stdout, line by line. */
final class LaunchedNode {

    private static final Duration TIMEOUT = LauncherIT.TIMEOUT;

    final Process process;
    final Path log;
    final List<String> lines = new ArrayList<>();
    boolean ended;
    private long askedSince = -1; // when sawWithin was first called

    LaunchedNode(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    /** Waits until the node's stdout ended. */
    synchronized void awaitEnd() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!ended && System.nanoTime() < deadline) {
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /** What the node printed so far, stdout then stderr. */
    synchronized String output() throws IOException {
        return String.join("\n", lines) + "\n" + Files.readString(log);
    }

    /**
     * Waits up to {@code seconds} for a line holding {@code text} printed from now on; false when
     * none came (then the caller asks again, at most until the test's timeout).
     */
    synchronized boolean sawWithin(String text, int seconds) throws InterruptedException {
        if (askedSince < 0) {
            askedSince = System.nanoTime();
        } else if (System.nanoTime() - askedSince > TIMEOUT.toNanos()) {
            throw new AssertionError("no line holding '" + text + "' within " + TIMEOUT + "; stdout: " + lines);
        }
        int from = lines.size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (lines.subList(from, lines.size()).stream().noneMatch(l -> l.contains(text))) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0 || ended) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Waits until the node printed {@code expected} as a line of its own. */
    synchronized void awaitLine(String expected) throws InterruptedException, IOException {
        awaitLine(expected, false);
    }

    /** Waits until the node printed {@code expected} as a line of its own, or within a line (a console prompt before it). */
    synchronized void awaitLine(String expected, boolean within) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (within ? lines.stream().noneMatch(l -> l.contains(expected)) : !lines.contains(expected)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0 || ended) {
                throw new AssertionError("no line '" + expected + "' " + (ended ? "before the node ended" : "within " + TIMEOUT)
                        + "; stdout: " + lines
                        + "\nstderr:\n" + Files.readString(log));
            }
            wait(left);
        }
    }
}
