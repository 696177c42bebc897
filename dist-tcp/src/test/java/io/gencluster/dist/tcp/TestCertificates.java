package io.gencluster.dist.tcp;

import io.gencluster.dist.tcp.tls.PeerNames;
import io.gencluster.dist.tcp.tls.Tls;
import io.gencluster.testing.Certificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * TLS settings for this module's tests, from certificates made by {@link Certificates} (PKCS#12
 * stores {@code <name>.p12}, password {@link Certificates#PW}).
 */
final class TestCertificates {

    /** Certificates of nodes a and b from one CA, made once per test JVM (see {@link #tlsIf}). */
    private static Path shared;

    private TestCertificates() {
    }

    /**
     * Settings for node {@code a} or {@code b} of {@link LoopbackNodes}: TLS with a certificate from a
     * CA both trust when {@code tls}, else unchanged (plaintext). For tests run both ways.
     */
    static UnaryOperator<TcpDistSettings.Builder> tlsIf(boolean tls, String node) {
        if (!tls) {
            return s -> s;
        }
        SSLContext context = stores(shared(), node, "trust");
        return s -> s.tls(context, PeerNames.OFF);
    }

    private static synchronized Path shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("gencluster-test-certificates");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
                Certificates.ca(dir, "ca");
                Certificates.node(dir, "a", "ca", "ip:127.0.0.1");
                Certificates.node(dir, "b", "ca", "ip:127.0.0.1");
                Certificates.trust(dir, "trust", "ca");
                shared = dir;
            } catch (Exception e) {
                throw new AssertionError("making test certificates failed", e);
            }
        }
        return shared;
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The TLS context of node {@code node} trusting what trust store {@code trust} holds. */
    static SSLContext stores(Path dir, String node, String trust) {
        return Tls.fromStores(dir.resolve(node + ".p12"), Certificates.PW.toCharArray(), dir.resolve(trust + ".p12"),
                Certificates.PW.toCharArray());
    }
}
