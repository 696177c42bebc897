package io.gencluster.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** The messages a class logs (as an operator reads them, parameters filled in) while this is open. */
public final class LogLines implements AutoCloseable {

    /** Every line so far; safe to read while the class logs. */
    public final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger; // held: a logger nothing refers to may be collected with its handler
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            lines.add(new SimpleFormatter().formatMessage(r));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LogLines(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        logger.addHandler(handler);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
