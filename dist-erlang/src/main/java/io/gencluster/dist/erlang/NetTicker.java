package io.gencluster.dist.erlang;

import io.gencluster.api.DownReason;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Liveness by Erlang's net tick rule: a connection that heard nothing for the net tick time is
 * down ({@link DownReason#HEARTBEAT_TIMEOUT}); one that sent nothing for an eighth of it sends a
 * tick, so that the peer, applying the same rule, hears from this node in time. Checked every
 * quarter of the net tick time (at least every 250 ms), on a thread that does nothing else that
 * could block (no handshake, no EPMD request: those run elsewhere), which then also writes the
 * summaries that are due ({@code summaries}: refused handshakes, dropped messages).
 */
final class NetTicker {

    private final Connections connections;
    private final Duration netTickTime;
    private final Runnable[] summaries;

    NetTicker(Connections connections, Duration netTickTime, Runnable... summaries) {
        this.connections = connections;
        this.netTickTime = netTickTime;
        this.summaries = summaries.clone();
    }

    /** Checks every connection on {@code timer} (a thread of the ticker's own) from now on, until the timer stops. */
    void start(ScheduledExecutorService timer) {
        long interval = Math.max(250, netTickTime.toMillis() / 4);
        timer.scheduleAtFixedRate(this::tickAll, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void tickAll() {
        long tickTime = netTickTime.toMillis();
        for (Connection c : connections.all()) {
            if (c.silentMs() > tickTime) {
                c.close(DownReason.HEARTBEAT_TIMEOUT, "nothing received for " + c.silentMs() + " ms (net tick time "
                        + netTickTime.toSeconds() + " s)");
            } else if (c.idleMs() >= tickTime / 8) {
                c.tick();
            }
        }
        for (Runnable r : summaries) {
            r.run();
        }
    }
}
