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
            lines.add(r.getLevel() + " " + r.getLoggerName() + ": " + formatter.formatMessage(r));
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
