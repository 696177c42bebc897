package io.gencluster.dist.tcp;

import io.gencluster.dist.tcp.tls.PeerNames;
import io.gencluster.dist.tcp.tls.Tls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * Certificate authorities and node certificates for tests, made by the JDK's keytool into one
 * directory as PKCS#12 stores ({@code <name>.p12}, password {@link #PW}) and PEM files.
 */
final class TestCertificates {

    static final String PW = "changeit";

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
                ca(dir, "ca");
                node(dir, "a", "ca", "ip:127.0.0.1");
                node(dir, "b", "ca", "ip:127.0.0.1");
                trust(dir, "trust", "ca");
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

    /** A CA: {@code <name>.p12} with its key, {@code <name>.pem} its certificate. */
    static void ca(Path dir, String name) throws Exception {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "2", "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", PW, "-storetype", "PKCS12");
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", dir.resolve(name + ".pem").toString(),
                "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", PW);
    }

    /** A node's key and certificate from {@code ca}, naming {@code san} (e.g. {@code ip:127.0.0.1}). */
    static void node(Path dir, String name, String ca, String san) throws Exception {
        String ks = dir.resolve(name + ".p12").toString();
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-keystore", ks, "-storepass", PW, "-storetype", "PKCS12");
        keytool("-certreq", "-alias", "node", "-file", dir.resolve(name + ".csr").toString(), "-keystore", ks, "-storepass", PW);
        keytool("-gencert", "-alias", "ca", "-keystore", dir.resolve(ca + ".p12").toString(), "-storepass", PW,
                "-infile", dir.resolve(name + ".csr").toString(), "-outfile", dir.resolve(name + ".pem").toString(),
                "-rfc", "-ext", "SAN=" + san, "-validity", "2");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve(ca + ".pem").toString(), "-keystore", ks, "-storepass", PW);
        keytool("-importcert", "-alias", "node", "-file", dir.resolve(name + ".pem").toString(), "-keystore", ks, "-storepass", PW);
    }

    /** A trust store {@code <name>.p12} holding the certificate of {@code ca}. */
    static void trust(Path dir, String name, String ca) throws Exception {
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve(ca + ".pem").toString(),
                "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", PW, "-storetype", "PKCS12");
    }

    /** The TLS context of node {@code node} trusting what trust store {@code trust} holds. */
    static SSLContext stores(Path dir, String node, String trust) {
        return Tls.fromStores(dir.resolve(node + ".p12"), PW.toCharArray(), dir.resolve(trust + ".p12"), PW.toCharArray());
    }

    private static void keytool(String... args) throws Exception {
        // a keytool run is mostly JVM start-up: the quick JIT tier and the serial GC halve its CPU time
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
