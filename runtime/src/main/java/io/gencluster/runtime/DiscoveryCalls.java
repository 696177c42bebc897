package io.gencluster.runtime;

import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Asking one discovery strategy for its peers: on the discovery executor (a strategy may block on
 * DNS or a port mapper), bounded by {@code discovery.timeout.ms}, with at most one call in flight
 * per source — a strategy that has not answered the last refresh is not asked again, it counts as
 * failing. The answer, an error or the timeout is applied to the source on the loop thread.
 */
final class DiscoveryCalls {

    private final Scheduler loop;
    private final Executor executor;
    private final Duration timeout;

    DiscoveryCalls(Scheduler loop, Executor executor, Duration timeout) {
        this.loop = loop;
        this.executor = executor;
        this.timeout = timeout;
    }

    /** Loop thread. Asks {@code source}; {@code done} runs on the loop thread once its outcome is recorded. */
    void ask(DiscoverySource source, Runnable done) {
        if (source.inFlight) {
            // a call from an earlier refresh has not returned: do not pile up another one
            source.failed("its previous answer is still pending");
            done.run();
            return;
        }
        source.inFlight = true;
        Scheduler.Timer timer = loop.schedule(() -> {
            source.failed("no answer within " + timeout.toMillis() + " ms");
            done.run();
        }, timeout);
        Discovery discovery = source.discovery;
        try {
            executor.execute(() -> {
                Set<Peer> found = null;
                String error;
                try {
                    Set<Peer> peers = discovery.peers();
                    found = peers == null ? null : Set.copyOf(peers);
                    error = peers == null ? "returned null instead of a set of peers" : null;
                } catch (DiscoveryException e) {
                    error = e.getMessage();
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    error = e.toString();
                }
                Set<Peer> answer = found;
                String why = error;
                loop.execute(() -> {
                    source.inFlight = false;
                    timer.cancel();
                    if (answer != null) {
                        source.succeeded(answer);
                    } else {
                        source.failed(why);
                    }
                    done.run();
                });
            });
        } catch (RejectedExecutionException e) {
            source.inFlight = false;
            timer.cancel();
            source.failed("too many discovery calls in progress");
            done.run();
        }
    }
}
