package io.gencluster.bench;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.TcpDist;
import io.gencluster.dist.tcp.TcpDistSettings;
import io.gencluster.dist.tcp.tls.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

/**
 * dist-tcp messaging against a raw-socket baseline, in one run on one machine: messages per second
 * (one sender streaming to a mailbox) and round-trip latency (ping-pong, p50/p99) for 64 B, 1 KiB
 * and 64 KiB payloads, plaintext and TLS. Prints a Markdown report; ratios compare figures taken in
 * the same run, so the machine's speed cancels out.
 *
 * <p>Every figure, the baseline's as well, is taken the same way: trials of the baseline, of
 * plaintext and of TLS run in turn until the code is warm ({@link #WARM_UP_NANOS} of them), then
 * {@link #TRIALS} rounds of one trial each are measured. A ratio is taken within each round, from
 * trials a moment apart, and the median over the rounds is reported, as is the median of each
 * figure: neither JIT compilation, nor one disturbed trial, nor a machine whose speed drifts during
 * the run decides a ratio.
 */
public final class TransportBench {

    private static final int[] SIZES = {64, 1024, 64 * 1024};
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int TRIALS = 7;

    /** One trial: a rate, or round trips' times. */
    private interface Trial<T> {
        T run() throws Exception;
    }

    /** Medians over the trials: of each side's own figures, and of the ratios taken trial by trial. */
    private record Result(double raw, double plain, double tls, Ratio plainToRaw, Ratio tlsToPlain) {
    }

    /** A ratio's median over the rounds, and its lowest and highest. */
    private record Ratio(double median, double min, double max) {
        static final Ratio NONE = new Ratio(0, 0, 0);

        static Ratio of(double[] perRound) {
            double[] sorted = perRound.clone();
            Arrays.sort(sorted);
            return new Ratio(sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.3f (%.2f–%.2f)", median, min, max);
        }
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("gencluster-bench");
        SSLContext tls = selfSignedTls(tmp);
        StringBuilder report = new StringBuilder();
        report.append("| payload | raw socket msg/s | dist-tcp msg/s | ratio | dist-tcp TLS msg/s | TLS / plaintext "
                + "| raw p50 / p99 µs | dist-tcp p50 / p99 µs | p99 ratio | TLS p50 / p99 µs |\n");
        report.append("|---|---|---|---|---|---|---|---|---|---|\n");
        // arguments, if any, name the payload sizes to run (for profiling one of them)
        int[] sizes = args.length == 0 ? SIZES : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int size : sizes) {
            // messages per trial: a quarter of a second or more each, even for the baseline
            int count = size <= 64 ? 5_000_000 : size <= 1024 ? 2_000_000 : 20_000;
            int pings = size <= 1024 ? 10_000 : 5_000;
            byte[] payload = new byte[size];
            try (RawSockets raw = new RawSockets(); Pair plain = new Pair(null); Pair secure = new Pair(tls)) {
                Result rate = interleaved(
                        () -> streamRaw(raw, payload, count),
                        () -> stream(plain.a, plain.b, payload, count),
                        () -> stream(secure.a, secure.b, payload, count));
                Result[] latency = interleavedLatency(
                        () -> pingRaw(raw, payload, pings),
                        () -> ping(plain.a, plain.b, payload, pings),
                        () -> ping(secure.a, secure.b, payload, pings));
                Result p50 = latency[0];
                Result p99 = latency[1];
                report.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %s | %,.0f | %s | %.0f / %.0f | %.0f / %.0f | %s | %.0f / %.0f |%n",
                        size >= 1024 ? (size / 1024) + " KiB" : size + " B",
                        rate.raw, rate.plain, rate.plainToRaw, rate.tls, rate.tlsToPlain,
                        p50.raw, p99.raw, p50.plain, p99.plain, p99.plainToRaw, p50.tls, p99.tls));
            }
        }
        System.out.print(report);
    }

    /** Two connected nodes, plaintext or TLS. */
    private static final class Pair implements AutoCloseable {
        final TcpDist a;
        final TcpDist b;

        Pair(SSLContext tls) throws Exception {
            a = node("a", tls);
            b = node("b", tls);
            a.connect(Peer.of(b.self(), b.port()), WAIT).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            a.close();
            b.close();
        }
    }

    /**
     * Rates of the three kinds, trial after trial in turn — baseline, plaintext, TLS — so that each
     * ratio compares trials taken a moment apart, and a machine that speeds up or slows down
     * during the run moves both sides of a ratio alike.
     */
    private static Result interleaved(Trial<Double> raw, Trial<Double> plain, Trial<Double> tls) throws Exception {
        warm(raw, plain, tls);
        double[][] v = new double[3][TRIALS];
        double[] plainToRaw = new double[TRIALS];
        double[] tlsToPlain = new double[TRIALS];
        for (int i = 0; i < TRIALS; i++) {
            v[0][i] = raw.run();
            v[1][i] = plain.run();
            v[2][i] = tls.run();
            plainToRaw[i] = v[1][i] / v[0][i];
            tlsToPlain[i] = v[2][i] / v[1][i];
        }
        return new Result(median(v[0]), median(v[1]), median(v[2]), Ratio.of(plainToRaw), Ratio.of(tlsToPlain));
    }

    /** p50 and p99 of the three kinds, trials in turn as for rates; the p99 ratio is taken per trial. */
    private static Result[] interleavedLatency(Trial<long[]> raw, Trial<long[]> plain, Trial<long[]> tls) throws Exception {
        warm(raw, plain, tls);
        double[][] p50 = new double[3][TRIALS];
        double[][] p99 = new double[3][TRIALS];
        double[] p99Ratio = new double[TRIALS];
        List<Trial<long[]>> kinds = List.of(raw, plain, tls);
        for (int i = 0; i < TRIALS; i++) {
            for (int k = 0; k < 3; k++) {
                long[] rtt = kinds.get(k).run();
                p50[k][i] = percentile(rtt, 50);
                p99[k][i] = percentile(rtt, 99);
            }
            p99Ratio[i] = p99[1][i] / p99[0][i];
        }
        return new Result[] {
            new Result(median(p50[0]), median(p50[1]), median(p50[2]), Ratio.NONE, Ratio.NONE),
            new Result(median(p99[0]), median(p99[1]), median(p99[2]), Ratio.of(p99Ratio), Ratio.NONE)};
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

    // ------------------------------------------------------------------ raw baseline

    private static double streamRaw(RawSockets s, byte[] payload, int count) throws Exception {
        Thread reader = new Thread(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    RawSockets.readFrame(s.serverIn);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        long start = System.nanoTime();
        reader.start();
        for (int i = 0; i < count; i++) {
            RawSockets.writeFrame(s.clientOut, payload);
        }
        s.clientOut.flush();
        reader.join();
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static long[] pingRaw(RawSockets s, byte[] payload, int pings) throws Exception {
        Thread echo = new Thread(() -> {
            try {
                for (int i = 0; i < pings; i++) {
                    RawSockets.writeFrame(s.serverOut, RawSockets.readFrame(s.serverIn));
                    s.serverOut.flush();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        echo.start();
        long[] rtt = new long[pings];
        for (int i = 0; i < pings; i++) {
            long t = System.nanoTime();
            RawSockets.writeFrame(s.clientOut, payload);
            s.clientOut.flush();
            RawSockets.readFrame(s.clientIn);
            rtt[i] = System.nanoTime() - t;
        }
        echo.join();
        return rtt;
    }

    // ------------------------------------------------------------------ dist-tcp

    private static TcpDist node(String name, SSLContext tls) throws IOException {
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), "bench".getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).maxFrameBytes(1 << 20).sendQueueBytes(8 << 20).transitive(false)
                .tls(tls, false).build());
        d.start();
        return d;
    }

    private static double stream(TcpDist a, TcpDist b, byte[] payload, int count) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        b.addMailbox("sink", (from, p) -> {
            if (received.incrementAndGet() == count) {
                done.countDown();
            }
        });
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            a.send(b.self(), "sink", payload, WAIT);
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + received.get() + " of " + count + " messages arrived");
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Round trips timed where the reply arrives: the pong handler takes the time and sends the
     * next ping, as the baseline's client thread reads its own socket and writes again. (Handing
     * each reply to a waiting benchmark thread would add a wake-up of the benchmark's, not of the
     * transport's, to every round trip.)
     */
    private static long[] ping(TcpDist a, TcpDist b, byte[] payload, int pings) throws Exception {
        long[] rtt = new long[pings];
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Exception> failure = new AtomicReference<>();
        b.addMailbox("echo", (from, p) -> {
            try {
                b.send(from, "pong", p, WAIT);
            } catch (Exception e) {
                failure.set(e);
                done.countDown();
            }
        });
        int[] next = {0};
        long[] sentAt = {0};
        a.addMailbox("pong", (from, p) -> {
            long now = System.nanoTime();
            rtt[next[0]++] = now - sentAt[0];
            if (next[0] == pings) {
                done.countDown();
                return;
            }
            try {
                sentAt[0] = System.nanoTime();
                a.send(b.self(), "echo", payload, WAIT);
            } catch (Exception e) {
                failure.set(e);
                done.countDown();
            }
        });
        sentAt[0] = System.nanoTime();
        a.send(b.self(), "echo", payload, WAIT);
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + next[0] + " of " + pings + " round trips done");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return rtt;
    }

    // ------------------------------------------------------------------ helpers

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1000.0;
    }

    /** One self-signed key pair for both nodes, trusted by both: enough to measure TLS's cost. */
    private static SSLContext selfSignedTls(Path dir) throws Exception {
        Path ks = dir.resolve("node.p12");
        Path cert = dir.resolve("node.pem");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=bench",
                "-validity", "1", "-keystore", ks.toString(), "-storepass", "bench123", "-storetype", "PKCS12");
        keytool("-exportcert", "-alias", "node", "-rfc", "-file", cert.toString(), "-keystore", ks.toString(), "-storepass", "bench123");
        keytool("-importcert", "-noprompt", "-alias", "node", "-file", cert.toString(), "-keystore", trust.toString(),
                "-storepass", "bench123", "-storetype", "PKCS12");
        return Tls.fromStores(ks, "bench123".toCharArray(), trust, "bench123".toCharArray());
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + String.join(" ", args));
        }
    }
}
