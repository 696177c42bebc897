package io.gencluster.bench;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.TcpDist;
import io.gencluster.dist.tcp.TcpDistSettings;
import io.gencluster.dist.tcp.Tls;
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
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * dist-tcp messaging against a raw-socket baseline, in one run on one machine: messages per second
 * (one sender streaming to a mailbox) and round-trip latency (ping-pong, p50/p99) for 64 B, 1 KiB
 * and 64 KiB payloads, plaintext and TLS. Prints a Markdown report; ratios compare figures taken in
 * the same run, so the machine's speed cancels out.
 */
public final class TransportBench {

    private static final int[] SIZES = {64, 1024, 64 * 1024};
    private static final Duration WAIT = Duration.ofSeconds(30);

    private record Result(double messagesPerSecond, double p50Micros, double p99Micros) {
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
            // long enough that JIT warm-up and thread start-up do not decide the figure (≥ 0.3 s each)
            int count = size <= 1024 ? 1_000_000 : 20_000;
            int pings = size <= 1024 ? 20_000 : 2_000;
            Result raw = raw(size, count, pings);
            Result plain = transport(size, count, pings, null);
            Result secure = transport(size, count, pings, tls);
            report.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %,.0f | %.2f | %.0f / %.0f | %.0f / %.0f | %.2f | %.0f / %.0f |%n",
                    size >= 1024 ? (size / 1024) + " KiB" : size + " B",
                    raw.messagesPerSecond, plain.messagesPerSecond, plain.messagesPerSecond / raw.messagesPerSecond,
                    secure.messagesPerSecond, secure.messagesPerSecond / plain.messagesPerSecond,
                    raw.p50Micros, raw.p99Micros, plain.p50Micros, plain.p99Micros, plain.p99Micros / raw.p99Micros,
                    secure.p50Micros, secure.p99Micros));
        }
        System.out.print(report);
    }

    // ------------------------------------------------------------------ raw baseline

    private static Result raw(int size, int count, int pings) throws Exception {
        byte[] payload = new byte[size];
        double rate;
        try (RawSockets s = new RawSockets()) {
            streamRaw(s, payload, count / 5); // warm-up
            rate = streamRaw(s, payload, count);
        }
        long[] rtt;
        try (RawSockets s = new RawSockets()) {
            pingRaw(s, payload, pings / 5);
            rtt = pingRaw(s, payload, pings);
        }
        return new Result(rate, percentile(rtt, 50), percentile(rtt, 99));
    }

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

    private static Result transport(int size, int count, int pings, SSLContext tls) throws Exception {
        TcpDist a = node("a", tls);
        TcpDist b = node("b", tls);
        try {
            a.connect(Peer.of(b.self(), b.port()), WAIT).toCompletableFuture().get(30, TimeUnit.SECONDS);
            byte[] payload = new byte[size];
            stream(a, b, payload, count / 5); // warm-up
            double rate = stream(a, b, payload, count);
            ping(a, b, payload, pings / 5);
            long[] rtt = ping(a, b, payload, pings);
            return new Result(rate, percentile(rtt, 50), percentile(rtt, 99));
        } finally {
            a.close();
            b.close();
        }
    }

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

    private static long[] ping(TcpDist a, TcpDist b, byte[] payload, int pings) throws Exception {
        SynchronousQueue<byte[]> replies = new SynchronousQueue<>();
        b.addMailbox("echo", (from, p) -> {
            try {
                b.send(from, "pong", p, WAIT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        a.addMailbox("pong", (from, p) -> {
            try {
                replies.put(p);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long[] rtt = new long[pings];
        for (int i = 0; i < pings; i++) {
            long t = System.nanoTime();
            a.send(b.self(), "echo", payload, WAIT);
            if (replies.poll(30, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException("no reply to ping " + i);
            }
            rtt[i] = System.nanoTime() - t;
        }
        return rtt;
    }

    // ------------------------------------------------------------------ helpers

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
