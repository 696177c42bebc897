package io.gencluster.dist.tcp;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The default clock of a {@link TcpDist}: wall-clock time at creation, advanced by
 * {@link System#nanoTime()} from then on. Silence windows and tick intervals measured on the wall
 * clock would break when an administrator or NTP steps it (every connection declared dead on a
 * jump forward, ticks stopped on a jump back); this clock never jumps.
 */
final class MonotonicClock extends Clock {

    private final long baseMillis = System.currentTimeMillis();
    private final long baseNanos = System.nanoTime();

    @Override
    public long millis() {
        return baseMillis + (System.nanoTime() - baseNanos) / 1_000_000;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return zone.equals(ZoneOffset.UTC) ? this : Clock.fixed(instant(), zone);
    }
}
