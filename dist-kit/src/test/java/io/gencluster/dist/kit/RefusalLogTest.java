package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalLogTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private final RefusalLog refusals = new RefusalLog(new Capture(lines), "connections", 10_000, clock::get);

    @Test
    void aFloodFromOneSourceGivesOneLineAtOnceAndOneSummary() {
        for (int i = 0; i < 11_621; i++) {
            refusals.refused("127.0.0.1", "frame length out of range");
            clock.addAndGet(TimeUnit.MICROSECONDS.toNanos(500));
        }
        assertEquals(1, lines.size(), lines.toString());
        clock.addAndGet(TimeUnit.SECONDS.toNanos(5));
        refusals.flush();
        assertEquals(List.of(
                "refused connection from 127.0.0.1: frame length out of range (further ones summarised every 10 s)",
                "refused 11,621 connections from 127.0.0.1 in 11 s: frame length out of range"), lines);
    }

    @Test
    void eachSourceAndCauseIsCountedApart() {
        refusals.refused("10.0.0.1", "cookie mismatch");
        refusals.refused("10.0.0.1", "cookie mismatch");
        refusals.refused("10.0.0.2", "cookie mismatch");
        refusals.refused("10.0.0.1", "not a gen-cluster peer");
        assertEquals(3, lines.size(), lines.toString());
        clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
        refusals.flush();
        assertEquals(4, lines.size(), lines.toString());
        assertEquals("refused 2 connections from 10.0.0.1 in 10 s: cookie mismatch", lines.get(3));
    }

    @Test
    void manySourcesShareOneLineBeyondTheBound() {
        for (int i = 0; i < 10_000; i++) {
            refusals.refused("10.0." + (i / 250) + "." + (i % 250), "cookie mismatch");
        }
        assertEquals(RefusalLog.MAX_PAIRS + 1, lines.size());
        clock.addAndGet(TimeUnit.SECONDS.toNanos(10));
        refusals.flush();
        assertEquals(RefusalLog.MAX_PAIRS + 2, lines.size());
        assertTrue(lines.get(lines.size() - 1).startsWith("refused 9,744 connections from other sources"), lines.get(lines.size() - 1));
    }

    @Test
    void aMissingCauseIsNamedNotNull() {
        refusals.refused((java.net.InetAddress) null, null);
        assertEquals("refused connection from an unknown address: no reason given (further ones summarised every 10 s)", lines.get(0));
    }

    @Test
    void aNewPeriodLogsItsFirstRefusalAgain() {
        refusals.refused("127.0.0.1", "cookie mismatch");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(30));
        refusals.refused("127.0.0.1", "cookie mismatch");
        assertEquals(2, lines.size(), lines.toString()); // a single refusal needs no summary
    }

    /** Keeps what is logged, formatted as the transports' log handlers would. */
    private record Capture(List<String> lines) implements System.Logger {
        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(params == null || params.length == 0 ? format : java.text.MessageFormat.format(format, params));
        }
    }
}
