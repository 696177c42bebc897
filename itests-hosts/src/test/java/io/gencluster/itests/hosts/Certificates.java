package io.gencluster.itests.hosts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A test CA and host certificates made with {@code openssl}, as PEM files the way an operator
 * makes them: the CA's certificate ({@code tls.ca}), and per host an unencrypted PKCS#8 P-256
 * key ({@code tls.private.key}) and a certificate signed by the CA ({@code tls.certificate})
 * whose subject alternative names are the DNS names and IP addresses given.
 */
final class Certificates {

    /** The PEM files of one node: its certificate, its key, and the CA's certificate. */
    record NodeFiles(Path certificate, Path privateKey, Path ca) {

        /** The dist-tcp keys naming these files, with TLS and host name verification on. */
        String tlsConf() {
            return "tls.enabled = true\ntls.verify.hostname = true\ntls.certificate = " + certificate
                    + "\ntls.private.key = " + privateKey + "\ntls.ca = " + ca + "\n";
        }
    }

    private static final Duration OPENSSL = Duration.ofSeconds(30);

    private final Path dir;
    private final Path caCert;
    private final Path caKey;

    private Certificates(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
    }

    /** A new CA in {@code dir} (created). */
    static Certificates createCa(Path dir) throws IOException {
        Preconditions.require("openssl");
        Certificates c = new Certificates(Files.createDirectories(dir));
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", c.caKey.toString(), "-out", c.caCert.toString(), "-days", "2",
                "-subj", "/CN=gen-cluster test CA");
        return c;
    }

    /**
     * A key and a certificate for {@code file} (the files' base name), naming {@code dnsNames}
     * and {@code addresses} as subject alternative names.
     */
    NodeFiles issue(String file, List<String> dnsNames, List<String> addresses) throws IOException {
        Path key = dir.resolve(file + ".key");
        Path csr = dir.resolve(file + ".csr");
        Path cert = dir.resolve(file + ".pem");
        Path ext = dir.resolve(file + ".ext");
        List<String> san = new ArrayList<>();
        dnsNames.forEach(n -> san.add("DNS:" + n));
        addresses.forEach(a -> san.add("IP:" + a));
        Files.writeString(ext, "subjectAltName = " + String.join(",", san) + "\n"
                + "basicConstraints = critical, CA:FALSE\n"
                + "keyUsage = critical, digitalSignature\n"
                + "extendedKeyUsage = serverAuth, clientAuth\n");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + dnsNames.get(0), "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        if (!Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalStateException(key + " is not an unencrypted PKCS#8 key");
        }
        return new NodeFiles(cert, key, caCert);
    }

    private static void openssl(String... args) {
        List<String> argv = new ArrayList<>(List.of("openssl"));
        argv.addAll(List.of(args));
        Command.run(OPENSSL, argv).orThrow();
    }
}
