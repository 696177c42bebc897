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
 * <p>Every figure, the baseline's as well, is taken the same way: trials of the baseline, of
 * plaintext and of TLS run in turn until the code is warm ({@link #WARM_UP_NANOS} of them), then
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

    /** A figure of the three kinds (medians over the rounds), and the ratios taken round by round. */
    private record Figure(double raw, double plain, double tls, Ratio plainToRaw, Ratio tlsToPlain) {
    }

    /** A ratio's median over the rounds, and its lowest and highest. */
    private record Ratio(double median, double min, double max) {
        static Ratio of(double[] perRound) {
            double[] sorted = perRound.clone();
            Arrays.sort(sorted);
            return new Ratio(sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
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
                + "| dist-tcp TLS msg/s | TLS / plaintext |\n|---|---|---|---|---|---|\n");
        StringBuilder trips = new StringBuilder("| payload | baseline p50 / p99 / p99.9 µs | dist-tcp p50 / p99 / p99.9 µs "
                + "| p50 / baseline | p99 / baseline | TLS p50 / p99 / p99.9 µs |\n|---|---|---|---|---|---|\n");
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
            rate(label, payload, count, raw, plain, secure, rates);
        }
        if (trips != null) {
            trips(label, payload, pings, raw, plain, secure, trips);
        }
    }

    private static void rate(String label, byte[] payload, int count, RawBaseline raw, DistSide plain, DistSide secure,
            StringBuilder rates) throws Exception {
        Figure rate = interleaved(
                () -> raw.stream(payload, count),
                () -> plain.stream(payload, count),
                () -> secure.stream(payload, count));
        rates.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %s | %,.0f | %s |%n",
                label, rate.raw, rate.plain, rate.plainToRaw, rate.tls, rate.tlsToPlain));
    }

    private static void trips(String label, byte[] payload, int pings, RawBaseline raw, DistSide plain, DistSide secure,
            StringBuilder trips) throws Exception {
        Figure[] rtt = interleavedLatency(
                () -> raw.ping(payload, pings),
                () -> plain.ping(payload, pings),
                () -> secure.ping(payload, pings));
        trips.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", label,
                triple(rtt, Figure::raw), triple(rtt, Figure::plain), rtt[0].plainToRaw, rtt[1].plainToRaw, triple(rtt, Figure::tls)));
    }

    private static String triple(Figure[] percentiles, java.util.function.ToDoubleFunction<Figure> kind) {
        return String.format(Locale.ROOT, "%.0f / %.0f / %.0f", kind.applyAsDouble(percentiles[0]),
                kind.applyAsDouble(percentiles[1]), kind.applyAsDouble(percentiles[2]));
    }

    /**
     * Rates of the three kinds, trial after trial in turn — baseline, plaintext, TLS — so that each
     * ratio compares trials taken a moment apart, and a machine that speeds up or slows down
     * during the run moves both sides of a ratio alike.
     */
    private static Figure interleaved(Trial<Double> raw, Trial<Double> plain, Trial<Double> tls) throws Exception {
        warm(raw, plain, tls);
        double[][] v = new double[3][ROUNDS];
        double[] plainToRaw = new double[ROUNDS];
        double[] tlsToPlain = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            v[0][i] = raw.run();
            v[1][i] = plain.run();
            v[2][i] = tls.run();
            plainToRaw[i] = v[1][i] / v[0][i];
            tlsToPlain[i] = v[2][i] / v[1][i];
        }
        return new Figure(median(v[0]), median(v[1]), median(v[2]), Ratio.of(plainToRaw), Ratio.of(tlsToPlain));
    }

    /**
     * p50, p99 and p99.9 of the three kinds, trials in turn as for rates; the ratios of dist-tcp to
     * the baseline (and of TLS to plaintext) are taken per round.
     */
    private static Figure[] interleavedLatency(Trial<long[]> raw, Trial<long[]> plain, Trial<long[]> tls) throws Exception {
        warm(raw, plain, tls);
        double[] ps = {50, 99, 99.9};
        double[][][] v = new double[ps.length][3][ROUNDS];
        List<Trial<long[]>> kinds = List.of(raw, plain, tls);
        for (int i = 0; i < ROUNDS; i++) {
            for (int k = 0; k < 3; k++) {
                long[] rtt = kinds.get(k).run();
                Arrays.sort(rtt);
                for (int p = 0; p < ps.length; p++) {
                    v[p][k][i] = percentile(rtt, ps[p]);
                }
            }
        }
        Figure[] out = new Figure[ps.length];
        for (int p = 0; p < ps.length; p++) {
            double[] plainToRaw = new double[ROUNDS];
            double[] tlsToPlain = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                plainToRaw[i] = v[p][1][i] / v[p][0][i];
                tlsToPlain[i] = v[p][2][i] / v[p][1][i];
            }
            out[p] = new Figure(median(v[p][0]), median(v[p][1]), median(v[p][2]), Ratio.of(plainToRaw), Ratio.of(tlsToPlain));
        }
        return out;
    }

    /** Runs every kind in turn until {@link #WARM_UP_NANOS} have passed: JIT compilation out of the way. */
    @SafeVarargs
    private static <T> void warm(Trial<T>... kinds) throws Exception {
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
