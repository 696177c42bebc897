package io.gencluster.dist.erlang;

import io.gencluster.api.DownReason;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Liveness by Erlang's net tick rule: a connection that heard nothing for the net tick time is
 * down ({@link DownReason#HEARTBEAT_TIMEOUT}); one that sent nothing for an eighth of it sends a
 * tick, so that the peer, applying the same rule, hears from this node in time. Checked every
 * quarter of the net tick time (at least every 250 ms).
 */
final class NetTicker {

    private final Connections connections;
    private final Duration netTickTime;

    NetTicker(Connections connections, Duration netTickTime) {
        this.connections = connections;
        this.netTickTime = netTickTime;
    }

    /** Checks every connection on {@code timer} from now on, until the timer stops. */
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
    }
}
