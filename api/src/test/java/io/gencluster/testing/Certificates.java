package io.gencluster.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificate authorities, node certificates and trust stores for tests, made by the JDK's keytool
 * into one directory: PKCS#12 stores ({@code <name>.p12}, password {@link #PW}) and PEM
 * certificates ({@code <name>.pem}), all valid for two days.
 */
public final class Certificates {

    /** The password of every store made here. */
    public static final String PW = "changeit";

    private Certificates() {
    }

    /** A CA: {@code <name>.p12} with its key, {@code <name>.pem} its certificate. */
    public static void ca(Path dir, String name) throws Exception {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "2", "-keystore", file(dir, name + ".p12"), "-storepass", PW, "-storetype", "PKCS12");
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", file(dir, name + ".pem"), "-keystore", file(dir, name + ".p12"),
                "-storepass", PW);
    }

    /**
     * A node's key store {@code <name>.p12}: its key and a certificate from {@code ca} naming
     * {@code san} (keytool's SAN extension, e.g. {@code ip:127.0.0.1}), with the CA's certificate.
     */
    public static void node(Path dir, String name, String ca, String san) throws Exception {
        String ks = file(dir, name + ".p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-keystore", ks, "-storepass", PW, "-storetype", "PKCS12");
        keytool("-certreq", "-alias", "node", "-file", file(dir, name + ".csr"), "-keystore", ks, "-storepass", PW);
        keytool("-gencert", "-alias", "ca", "-keystore", file(dir, ca + ".p12"), "-storepass", PW, "-infile", file(dir, name + ".csr"),
                "-outfile", file(dir, name + ".pem"), "-rfc", "-ext", "SAN=" + san, "-validity", "2");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file(dir, ca + ".pem"), "-keystore", ks, "-storepass", PW);
        keytool("-importcert", "-alias", "node", "-file", file(dir, name + ".pem"), "-keystore", ks, "-storepass", PW);
    }

    /** A trust store {@code <name>.p12} holding the certificate of {@code ca}. */
    public static void trust(Path dir, String name, String ca) throws Exception {
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file(dir, ca + ".pem"), "-keystore", file(dir, name + ".p12"),
                "-storepass", PW, "-storetype", "PKCS12");
    }

    private static String file(Path dir, String name) {
        return dir.resolve(name).toString();
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
