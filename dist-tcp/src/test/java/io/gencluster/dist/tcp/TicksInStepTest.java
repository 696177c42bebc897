package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An idle node ticks all its peers together, once per {@code tick.ms}, however far apart they
 * connected: its selector thread wakes once per tick for all of them, not once per peer. Every
 * node ticks at the multiples of {@code tick.ms}, so its peers' ticks reach it together as well.
 */
class TicksInStepTest {

    private static final long TICK_MS = 200;

    private final MonotonicClock clock = new MonotonicClock();

    @RegisterExtension
    final LoopbackNodes nodes = new LoopbackNodes();

    @Test
    void peersThatConnectedOutOfStepAreTickedTogether() throws Exception {
        TcpDist a = nodes.node("a", s -> s.clock(clock).tick(Duration.ofMillis(TICK_MS)).tickTimeout(Duration.ofMillis(5 * TICK_MS)));
        List<TcpDist> peers = List.of(nodes.node("b"), nodes.node("c"), nodes.node("d"));
        for (TcpDist p : peers) {
            LoopbackNodes.connect(a, p);
            // the next one connects 0.6 tick after this one's last write: their ticks would fall out of step
            LoopbackNodes.await(() -> idleMs(a, p) >= TICK_MS * 6 / 10, () -> "a wrote to " + p.self() + " all the time");
        }
        long[] before = lastWrites(a, peers);
        // three more ticks to every peer: time enough to come into step
        LoopbackNodes.await(() -> {
            long[] now = lastWrites(a, peers);
            for (int i = 0; i < now.length; i++) {
                if (now[i] - before[i] < 2 * TICK_MS) {
                    return false;
                }
            }
            return true;
        }, () -> "a did not tick all of " + peers.size() + " peers three times in 10 s");

        for (int sample = 0; sample < 5; sample++) {
            long[] w = steadyLastWrites(a, peers);
            long spread = max(w) - min(w);
            assertTrue(spread <= TICK_MS / 10, "a's last writes to its idle peers lie " + spread
                    + " ms apart; ticked together they would be within " + TICK_MS / 10 + " ms");
            long last = max(w);
            LoopbackNodes.await(() -> min(lastWrites(a, peers)) > last, () -> "a stopped ticking its peers");
        }
    }

    @Test
    void ticksGoOutAtMultiplesOfTheTickOnEveryNode() throws Exception {
        // each node on a clock of its own, as in production: both keep one grid, so their ticks cross together
        TcpDist a = nodes.node("a", s -> s.tick(Duration.ofMillis(TICK_MS)).tickTimeout(Duration.ofMillis(5 * TICK_MS)));
        TcpDist b = nodes.node("b", s -> s.tick(Duration.ofMillis(TICK_MS)).tickTimeout(Duration.ofMillis(5 * TICK_MS)));
        LoopbackNodes.connect(a, b);
        for (TcpDist[] pair : new TcpDist[][] {{a, b}, {b, a}}) {
            Connection c = pair[0].connectionTo(pair[1].self());
            long[] offsets = new long[5];
            for (int sample = 0; sample < offsets.length; sample++) { // from the first, while sweeps still come every quarter tick
                long last = c.queue.lastWrite;
                LoopbackNodes.await(() -> c.queue.lastWrite > last, () -> pair[0].self() + " stopped ticking");
                offsets[sample] = Math.floorMod(c.queue.lastWrite, TICK_MS);
            }
            // the median: off the grid, every tick of a connection keeps one phase; on it, a tick is late
            // only when the selector thread is scheduled late, as it may be on a machine busy with other tests
            long median = Arrays.stream(offsets).sorted().toArray()[offsets.length / 2];
            assertTrue(median <= TICK_MS / 10, pair[0].self() + " ticked " + Arrays.toString(offsets)
                    + " ms after multiples of " + TICK_MS + " ms; on the grid most would be within " + TICK_MS / 10 + " ms");
        }
    }

    private long idleMs(TcpDist a, TcpDist peer) {
        Connection c = a.connectionTo(peer.self());
        return c == null ? 0 : clock.millis() - c.queue.lastWrite;
    }

    private static long[] lastWrites(TcpDist a, List<TcpDist> peers) {
        long[] w = new long[peers.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = a.connectionTo(peers.get(i).self()).queue.lastWrite;
        }
        return w;
    }

    /** The last writes, read twice alike: no batch of ticks went out between the reads. */
    private static long[] steadyLastWrites(TcpDist a, List<TcpDist> peers) throws InterruptedException {
        while (true) {
            long[] first = lastWrites(a, peers);
            TimeUnit.MILLISECONDS.sleep(1); // a batch of three ticks takes microseconds; one straddled is read again
            if (Arrays.equals(first, lastWrites(a, peers))) {
                return first;
            }
        }
    }

    private static long max(long[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }

    private static long min(long[] v) {
        return Arrays.stream(v).min().orElseThrow();
    }
}
