package io.gencluster.bench;

import io.gencluster.api.NodeName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * dist-tcp messaging between two JVMs against a plain-socket baseline between the same two JVMs,
 * in one run on one machine: messages per second (one sender streaming to a mailbox on the other
 * JVM until all have arrived) and round-trip latency (ping-pong, p50/p99/p99.9) for 64 B, 1 KiB
 * and 64 KiB payloads, plaintext and TLS. The other JVM ({@link TransportPeer}) is started with
 * this one's classpath and options, and stopped by its PID at the end ({@link PeerJvm}). Prints
 * Markdown tables; ratios compare figures taken in the same run, so the machine's speed cancels out.
 *
 * <p>dist-tcp is measured twice in plaintext: with its default delivery (each mailbox's handler on a
 * thread of its own, behind a queue) and with inline delivery (the handler on the reading thread,
 * {@code MessageHandler.DELIVERY_INLINE}); over TLS with the default.
 *
 * <p>Every figure, the baseline's as well, is taken the same way: trials of the baseline, of
 * each dist-tcp kind run in turn until the code is warm ({@link #WARM_UP_NANOS} of them), then
 * {@link #ROUNDS} rounds of one trial each are measured. A ratio is taken within each round, from
 * trials a moment apart, and the median over the rounds is reported, as is the median of each
 * figure: neither JIT compilation, nor one disturbed trial, nor a machine whose speed drifts during
 * the run decides a ratio.
 *
 * <p>Arguments, if any, name the payload sizes to run (for profiling one of them); {@code rtt} or
 * {@code rate} among them runs only the round trips or only the streams.
 */
public final class TransportBench {

    private static final int[] SIZES = {64, 1024, 64 * 1024};
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int ROUNDS = 7;

    /** One trial: a rate, or round trips' times. */
    private interface Trial<T> {
        T run() throws Exception;
    }

    /**
     * A figure (medians over the rounds) of each kind: 0 the baseline, 1 dist-tcp, 2 dist-tcp with
     * inline delivery, 3 dist-tcp over TLS; and the ratios taken round by round: each dist-tcp kind
     * to the baseline, and TLS to plaintext.
     */
    private record Figure(double[] median, Ratio plainToRaw, Ratio inlineToRaw, Ratio tlsToPlain) {
    }

    /** A ratio's median over the rounds, and its lowest and highest. */
    private record Ratio(double median, double min, double max) {
        static Ratio of(double[] perRound) {
            double[] sorted = perRound.clone();
            Arrays.sort(sorted);
            return new Ratio(sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
        }

        static Ratio of(double[][] v, int over, int under) {
            double[] r = new double[v[over].length];
            for (int i = 0; i < r.length; i++) {
                r[i] = v[over][i] / v[under][i];
            }
            return of(r);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", median, min, max);
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> words = List.of(args);
        boolean rtt = !words.contains("rate");
        boolean rate = !words.contains("rtt");
        int[] given = words.stream().filter(w -> !w.equals("rtt") && !w.equals("rate")).mapToInt(Integer::parseInt).toArray();
        int[] sizes = given.length == 0 ? SIZES : given;
        Path tmp = Files.createTempDirectory("gencluster-bench");
        StringBuilder rates = new StringBuilder("| payload | baseline msg/s | dist-tcp msg/s | dist-tcp / baseline "
                + "| inline msg/s | inline / baseline | dist-tcp TLS msg/s | TLS / plaintext |\n|---|---|---|---|---|---|---|---|\n");
        StringBuilder trips = new StringBuilder("| payload | baseline p50 / p99 / p99.9 µs | dist-tcp p50 / p99 / p99.9 µs "
                + "| p50 / baseline | p99 / baseline | inline p50 / p99 / p99.9 µs | p50 / baseline | p99 / baseline "
                + "| TLS p50 / p99 / p99.9 µs |\n|---|---|---|---|---|---|---|---|---|\n");
        try {
            SelfSignedTls.create(tmp);
            SSLContext tls = SelfSignedTls.load(tmp);
            try (PeerJvm peer = new PeerJvm(tmp);
                    RawBaseline raw = new RawBaseline(peer.ports[0]);
                    DistSide plain = new DistSide(NodeName.parse("bench@127.0.0.1"), null, TransportPeer.PLAIN, peer.ports[1]);
                    DistSide secure = new DistSide(NodeName.parse("tlsbench@127.0.0.1"), tls, TransportPeer.SECURE, peer.ports[2])) {
                for (int size : sizes) {
                    measure(size, raw, plain, secure, rate ? rates : null, rtt ? trips : null);
                }
            }
        } finally {
            SelfSignedTls.delete(tmp);
        }
        System.out.print("Throughput:\n\n" + rates + "\nRound trips:\n\n" + trips);
    }

    private static void measure(int size, RawBaseline raw, DistSide plain, DistSide secure, StringBuilder rates,
            StringBuilder trips) throws Exception {
        // messages per trial: a fraction of a second or more each, even for the baseline
        int count = size <= 64 ? 2_000_000 : size <= 1024 ? 500_000 : 20_000;
        int pings = 10_000;
        byte[] payload = new byte[size];
        String label = size >= 1024 ? (size / 1024) + " KiB" : size + " B";
        if (rates != null) {
            Figure r = interleaved(List.of(
                    () -> raw.stream(payload, count),
                    () -> plain.stream(payload, count, false),
                    () -> plain.stream(payload, count, true),
                    () -> secure.stream(payload, count, false)));
            rates.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %s | %,.0f | %s | %,.0f | %s |%n", label, r.median[0],
                    r.median[1], r.plainToRaw, r.median[2], r.inlineToRaw, r.median[3], r.tlsToPlain));
        }
        if (trips != null) {
            Figure[] t = interleavedLatency(List.of(
                    () -> raw.ping(payload, pings),
                    () -> plain.ping(payload, pings, false),
                    () -> plain.ping(payload, pings, true),
                    () -> secure.ping(payload, pings, false)));
            trips.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", label, triple(t, 0),
                    triple(t, 1), t[0].plainToRaw, t[1].plainToRaw, triple(t, 2), t[0].inlineToRaw, t[1].inlineToRaw, triple(t, 3)));
        }
    }

    private static String triple(Figure[] percentiles, int kind) {
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f", percentiles[0].median[kind], percentiles[1].median[kind],
                percentiles[2].median[kind]);
    }

    /**
     * Rates of every kind, trial after trial in turn, so that each ratio compares trials taken a
     * moment apart, and a machine that speeds up or slows down during the run moves both sides of
     * a ratio alike.
     */
    private static Figure interleaved(List<Trial<Double>> kinds) throws Exception {
        warm(kinds);
        double[][] v = new double[kinds.size()][ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            for (int k = 0; k < kinds.size(); k++) {
                v[k][i] = kinds.get(k).run();
            }
        }
        return figure(v);
    }

    /** p50, p99 and p99.9 of every kind, trials in turn as for rates, ratios taken per round. */
    private static Figure[] interleavedLatency(List<Trial<long[]>> kinds) throws Exception {
        warm(kinds);
        double[] ps = {50, 99, 99.9};
        double[][][] v = new double[ps.length][kinds.size()][ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            for (int k = 0; k < kinds.size(); k++) {
                long[] rtt = kinds.get(k).run();
                Arrays.sort(rtt);
                for (int p = 0; p < ps.length; p++) {
                    v[p][k][i] = percentile(rtt, ps[p]);
                }
            }
        }
        Figure[] out = new Figure[ps.length];
        for (int p = 0; p < ps.length; p++) {
            out[p] = figure(v[p]);
        }
        return out;
    }

    private static Figure figure(double[][] v) {
        double[] medians = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            medians[k] = median(v[k]);
        }
        return new Figure(medians, Ratio.of(v, 1, 0), Ratio.of(v, 2, 0), Ratio.of(v, 3, 1));
    }

    /** Runs every kind in turn until {@link #WARM_UP_NANOS} have passed: JIT compilation out of the way. */
    private static <T> void warm(List<Trial<T>> kinds) throws Exception {
        long warm = System.nanoTime() + WARM_UP_NANOS;
        do {
            for (Trial<T> k : kinds) {
                k.run();
            }
        } while (System.nanoTime() < warm);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The {@code p}th percentile of sorted round-trip times, in microseconds. */
    private static double percentile(long[] sortedNanos, double p) {
        int at = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, at))] / 1000.0;
    }
}
