package io.gencluster.bench;

import io.gencluster.dist.tcp.tls.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * One self-signed key pair that both benchmark JVMs use and trust: enough to measure TLS's cost.
 * {@link #create} makes the stores in a directory, {@link #load} reads them in either JVM.
 */
final class SelfSignedTls {

    private static final String PASSWORD = "bench123";

    private SelfSignedTls() {
    }

    static void create(Path dir) throws Exception {
        Path ks = dir.resolve("node.p12");
        Path cert = dir.resolve("node.pem");
        Path trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=bench",
                "-validity", "1", "-keystore", ks.toString(), "-storepass", PASSWORD, "-storetype", "PKCS12");
        keytool("-exportcert", "-alias", "node", "-rfc", "-file", cert.toString(), "-keystore", ks.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-noprompt", "-alias", "node", "-file", cert.toString(), "-keystore", trust.toString(),
                "-storepass", PASSWORD, "-storetype", "PKCS12");
    }

    static SSLContext load(Path dir) {
        return Tls.fromStores(dir.resolve("node.p12"), PASSWORD.toCharArray(), dir.resolve("trust.p12"), PASSWORD.toCharArray());
    }

    static void delete(Path dir) throws Exception {
        for (String f : List.of("node.p12", "node.pem", "trust.p12")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Files.deleteIfExists(dir);
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
