package io.gencluster.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** The refresh loop's log lines at INFO and above, as an operator reads them; close it after the test. */
final class LoopLog extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger(RefreshLoop.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LoopLog() {
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.INFO.intValue()) {
            records.add(r);
        }
    }

    /** Every line logged so far, formatted. */
    List<String> lines() {
        SimpleFormatter f = new SimpleFormatter();
        return records.stream().map(f::formatMessage).toList();
    }

    /** The lines that contain {@code text}. */
    List<String> containing(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
