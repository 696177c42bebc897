package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.tls.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS between real nodes, with certificates made by the JDK's keytool for each run. */
class TlsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String PW = "changeit";

    @TempDir
    static Path dir;

    private final List<TcpDist> started = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        ca("ca");
        ca("other-ca");
        node("a", "ca", "ip:127.0.0.1");
        node("b", "ca", "ip:127.0.0.1");
        node("c", "ca", "ip:127.0.0.1");
        node("stranger", "other-ca", "ip:127.0.0.1");
        node("misnamed", "ca", "dns:somewhere-else.example");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
                "-keystore", dir.resolve("trust.p12").toString(), "-storepass", PW, "-storetype", "PKCS12");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("other-ca.pem").toString(),
                "-keystore", dir.resolve("other-trust.p12").toString(), "-storepass", PW, "-storetype", "PKCS12");
    }

    private static void ca(String name) throws Exception {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "2", "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", PW, "-storetype", "PKCS12");
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", dir.resolve(name + ".pem").toString(),
                "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", PW);
    }

    private static void node(String name, String ca, String san) throws Exception {
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

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }

    @AfterEach
    void closeAll() {
        for (TcpDist d : started) {
            d.close();
        }
    }

    private static SSLContext stores(String node, String trust) {
        return Tls.fromStores(dir.resolve(node + ".p12"), PW.toCharArray(), dir.resolve(trust + ".p12"), PW.toCharArray());
    }

    private TcpDist node(String name, SSLContext tls, boolean verifyHostname) throws IOException {
        TcpDist d = new TcpDist(TcpDistSettings.builder(NodeName.parse(name + "@127.0.0.1"), "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8))
                .bindAddress("127.0.0.1").port(0).handshakeTimeout(Duration.ofSeconds(3)).tls(tls, verifyHostname).build());
        d.start();
        started.add(d);
        return d;
    }

    private static void connect(TcpDist from, TcpDist to) throws Exception {
        from.connect(Peer.of(to.self(), to.port()), TIMEOUT).toCompletableFuture().get(15, TimeUnit.SECONDS);
    }

    @Test
    void aTlsMeshFormsWithCertificatesFromTheTrustedCaAndCarriesMessages() throws Exception {
        TcpDist a = node("a", stores("a", "trust"), true);
        TcpDist b = node("b", stores("b", "trust"), true);
        TcpDist c = node("c", stores("c", "trust"), true);
        connect(a, b);
        connect(a, c);
        connect(b, c);
        assertEquals(Set.of(b.self(), c.self()), a.members());
        CountDownLatch got = new CountDownLatch(1);
        c.addMailbox("m", (from, payload) -> got.countDown());
        a.send(c.self(), "m", "over TLS".getBytes(StandardCharsets.UTF_8), TIMEOUT);
        assertTrue(got.await(10, TimeUnit.SECONDS));

        // a stream: many TLS records per read, messages cut across records, all intact and in order
        int count = 20_000;
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch all = new CountDownLatch(1);
        b.addMailbox("stream", (from, payload) -> {
            int want = next.getAndIncrement();
            if (!java.util.Arrays.equals(payload, streamed(want)) && errors.size() < 5) {
                errors.add("message " + want + " arrived as " + payload.length + " other bytes");
            }
            if (want == count - 1) {
                all.countDown();
            }
        });
        for (int i = 0; i < count; i++) {
            a.send(b.self(), "stream", streamed(i), TIMEOUT);
        }
        assertTrue(all.await(60, TimeUnit.SECONDS), "only " + next.get() + " of " + count + " arrived");
        assertEquals(java.util.List.of(), errors);
    }

    private static byte[] streamed(int i) {
        byte[] p = new byte[i % 100 == 99 ? 20_000 : 1 + i % 300];
        for (int k = 0; k < p.length; k++) {
            p[k] = (byte) (i + k);
        }
        return p;
    }

    @Test
    void pemFilesWorkLikeStores() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve("b.p12"))) {
            ks.load(in, PW.toCharArray());
        }
        byte[] der = ks.getKey("node", PW.toCharArray()).getEncoded();
        Path key = dir.resolve("b.key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PRIVATE KEY-----\n");
        TcpDist a = node("a", stores("a", "trust"), false);
        TcpDist b = node("b", Tls.fromPem(dir.resolve("b.pem"), key, dir.resolve("ca.pem")), false);
        connect(b, a);
        assertEquals(Set.of(a.self()), b.members());
    }

    @Test
    void aNodeWithACertificateFromAnotherCaIsRefusedBothWays() throws Exception {
        TcpDist a = node("a", stores("a", "trust"), false);
        TcpDist stranger = node("stranger", stores("stranger", "other-trust"), false);
        assertThrows(ExecutionException.class, () -> connect(stranger, a));
        assertThrows(ExecutionException.class, () -> connect(a, stranger));
        assertTrue(a.members().isEmpty());
        assertTrue(stranger.members().isEmpty());
    }

    @Test
    void withHostNameVerificationACertificateForAnotherHostIsRefused() throws Exception {
        TcpDist a = node("a", stores("a", "trust"), true);
        TcpDist misnamed = node("misnamed", stores("misnamed", "trust"), false);
        ExecutionException e = assertThrows(ExecutionException.class, () -> connect(a, misnamed));
        assertTrue(e.getCause().getMessage().contains("TLS handshake failed"), e.getCause().getMessage());
        TcpDist lenient = node("b", stores("b", "trust"), false);
        connect(lenient, misnamed); // without verification, a trusted CA is enough
    }

    @Test
    void withHostNameVerificationADiallerWhoseCertificateNamesAnotherHostIsRefused() throws Exception {
        try (LogLines captured = new LogLines(TcpDist.class)) {
            TcpDist a = node("a", stores("a", "trust"), true);
            TcpDist misnamed = node("misnamed", stores("misnamed", "trust"), false); // calls itself misnamed@127.0.0.1
            ExecutionException e = assertThrows(ExecutionException.class, () -> connect(misnamed, a));
            assertTrue(e.getCause().getMessage().contains("does not name host 127.0.0.1"), e.getCause().getMessage());
            assertTrue(a.members().isEmpty() && misnamed.members().isEmpty());
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (captured.lines.stream().noneMatch(l -> l.startsWith("connection from")) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(captured.lines.stream().anyMatch(l -> l.startsWith("connection from") && l.contains("tls.verify.hostname")),
                    captured.lines.toString());
            connect(node("b", stores("b", "trust"), false), a); // a dialler whose certificate names its host is let in
        }
    }

    @Test
    void plaintextAndTlsNodesRefuseEachOtherWithAClearLogLine() throws Exception {
        try (LogLines captured = new LogLines(TcpDist.class)) {
            List<String> logs = captured.lines;
            TcpDist secure = node("a", stores("a", "trust"), false);
            TcpDist plain = node("b", null, false);
            ExecutionException toTls = assertThrows(ExecutionException.class, () -> connect(plain, secure));
            assertTrue(toTls.getCause().getMessage().contains("tls.enabled"), toTls.getCause().getMessage());
            ExecutionException toPlain = assertThrows(ExecutionException.class, () -> connect(secure, plain));
            assertTrue(toPlain.getCause().getMessage().contains("tls.enabled"), toPlain.getCause().getMessage());
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (logs.stream().filter(l -> l.contains("tls.enabled")).count() < 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("connection from") && l.contains("plaintext peer")), logs.toString());
            assertTrue(logs.stream().anyMatch(l -> l.contains("the peer speaks TLS and this node does not")), logs.toString());
            assertTrue(secure.members().isEmpty() && plain.members().isEmpty());
        }
    }
}
