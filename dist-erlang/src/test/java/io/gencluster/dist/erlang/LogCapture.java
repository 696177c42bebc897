package io.gencluster.dist.erlang;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** The log lines this project's loggers write while open (java.util.logging, which System.Logger uses here), formatted. */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger root = Logger.getLogger("io.gencluster");
    private final Level rootLevel = root.getLevel();
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Level least;

    /** Captures lines at {@code least} or above. */
    LogCapture(Level least) {
        this.least = least;
        setLevel(Level.ALL);
        if (least.intValue() < Level.INFO.intValue()) {
            root.setLevel(least);
        }
        root.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= least.intValue()) {
            synchronized (this) {
                lines.add(r.getLevel() + " " + r.getLoggerName() + ": " + formatter.formatMessage(r));
                notifyAll();
            }
        }
    }

    /** Waits until a line matching {@code line} was captured, at most {@code timeout}; the caller asserts. */
    synchronized void await(java.util.function.Predicate<String> line, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines.stream().noneMatch(line)) {
            long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        root.setLevel(rootLevel);
    }
}
