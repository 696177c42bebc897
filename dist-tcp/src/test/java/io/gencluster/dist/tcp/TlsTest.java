package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.tls.PeerNames;
import io.gencluster.dist.tcp.tls.Tls;
import io.gencluster.testing.Certificates;
import io.gencluster.testing.LogLines;
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
    private static final String PW = Certificates.PW;

    @TempDir
    static Path dir;

    private final List<TcpDist> started = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        Certificates.ca(dir, "ca");
        Certificates.ca(dir, "other-ca");
        Certificates.node(dir, "a", "ca", "ip:127.0.0.1");
        Certificates.node(dir, "b", "ca", "ip:127.0.0.1");
        Certificates.node(dir, "c", "ca", "ip:127.0.0.1");
        Certificates.node(dir, "stranger", "other-ca", "ip:127.0.0.1");
        Certificates.node(dir, "misnamed", "ca", "dns:somewhere-else.example");
        Certificates.node(dir, "b2", "ca", "ip:127.0.0.2"); // a valid certificate for a node on host 127.0.0.2
        Certificates.node(dir, "a-node", "ca", "uri:gencluster:a@127.0.0.1,ip:127.0.0.1");
        Certificates.node(dir, "b-node", "ca", "uri:gencluster:b@127.0.0.1,ip:127.0.0.1");
        Certificates.trust(dir, "trust", "ca");
        Certificates.trust(dir, "other-trust", "other-ca");
    }

    @AfterEach
    void closeAll() {
        for (TcpDist d : started) {
            d.close();
        }
    }

    private static SSLContext stores(String node, String trust) {
        return TestCertificates.stores(dir, node, trust);
    }

    private TcpDist node(String name, SSLContext tls, boolean verifyHostname) throws IOException {
        return node(name + "@127.0.0.1", tls, verifyHostname ? PeerNames.HOST : PeerNames.OFF, false);
    }

    private TcpDist node(String fullName, SSLContext tls, PeerNames names, boolean allowTls12) throws IOException {
        NodeName self = NodeName.parse(fullName);
        TcpDist d = new TcpDist(TcpDistSettings.builder(self, "secret-cookie-for-tests".getBytes(StandardCharsets.UTF_8))
                .bindAddress(self.host()).port(0).handshakeTimeout(Duration.ofSeconds(3)).tls(tls, names).tlsAllow12(allowTls12).build());
        d.start();
        started.add(d);
        return d;
    }

    private static void awaitLine(List<String> lines, String... parts) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (lines.stream().noneMatch(l -> List.of(parts).stream().allMatch(l::contains))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no log line with " + List.of(parts) + " in " + lines);
            }
            Thread.onSpinWait();
        }
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
        assertTrue(e.getCause().getMessage().contains("does not name host 127.0.0.1"), e.getCause().getMessage());
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
            awaitLine(captured.lines, "refused connection from 127.0.0.1", "claiming to be misnamed@127.0.0.1",
                    "DNS:somewhere-else.example", "tls.verify.name = host");
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
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("refused connection from") && l.contains("plaintext peer")), logs.toString());
            assertTrue(logs.stream().anyMatch(l -> l.contains("the peer speaks TLS and this node does not")), logs.toString());
            assertTrue(secure.members().isEmpty() && plain.members().isEmpty());
        }
    }

    @Test
    void aValidCertificateOfOneNodeClaimingToBeAnotherIsRefusedOnBothSidesAndTheLogSaysWhy() throws Exception {
        try (LogLines captured = new LogLines(TcpDist.class)) {
            TcpDist a = node("a@127.0.0.1", stores("a", "trust"), PeerNames.HOST, false);
            // a node calling itself c@127.0.0.3 with the (valid, trusted) certificate of a node on 127.0.0.2
            TcpDist impostor = node("c@127.0.0.3", stores("b2", "trust"), PeerNames.OFF, false);
            ExecutionException dialling = assertThrows(ExecutionException.class, () -> connect(impostor, a));
            assertTrue(dialling.getCause().getMessage().contains("does not name host 127.0.0.3"), dialling.getCause().getMessage());
            awaitLine(captured.lines, "refused connection from 127.0.0.1", "claiming to be c@127.0.0.3", "does not name host 127.0.0.3",
                    "IP:127.0.0.2");
            // dialled as c, it is refused by the dialler before the dialler proves anything
            ExecutionException dialled = assertThrows(ExecutionException.class, () -> connect(a, impostor));
            assertTrue(dialled.getCause().getMessage().contains("claiming to be c@127.0.0.3")
                    && dialled.getCause().getMessage().contains("IP:127.0.0.2"), dialled.getCause().getMessage());
            awaitLine(captured.lines, "refused connection from dialled node c@127.0.0.3", "does not name host 127.0.0.3", "IP:127.0.0.2");
            assertTrue(a.members().isEmpty() && impostor.members().isEmpty());
        }
    }

    @Test
    void inNodeModeACertificateMustNameTheWholeNodeNotJustItsHost() throws Exception {
        TcpDist a = node("a@127.0.0.1", stores("a-node", "trust"), PeerNames.NODE, false);
        TcpDist b = node("b@127.0.0.1", stores("b-node", "trust"), PeerNames.NODE, false);
        connect(a, b);
        assertEquals(Set.of(b.self()), a.members());
        // b's certificate, on b's own host, claiming to be c: the host matches, the node does not
        TcpDist impostor = node("c@127.0.0.1", stores("b-node", "trust"), PeerNames.OFF, false);
        ExecutionException in = assertThrows(ExecutionException.class, () -> connect(impostor, a));
        assertTrue(in.getCause().getMessage().contains("does not name node gencluster:c@127.0.0.1"), in.getCause().getMessage());
        ExecutionException out = assertThrows(ExecutionException.class, () -> connect(a, impostor));
        assertTrue(out.getCause().getMessage().contains("URI:gencluster:b@127.0.0.1"), out.getCause().getMessage());
        assertEquals(Set.of(b.self()), a.members());
    }

    @Test
    void tls12IsRefusedUnlessAllowed() throws Exception {
        TcpDist strict = node("a@127.0.0.1", stores("a", "trust"), PeerNames.HOST, false);
        TcpDist lenient = node("b@127.0.0.1", stores("b", "trust"), PeerNames.HOST, true);
        SSLContext client = stores("c", "trust");
        for (TcpDist n : List.of(strict, lenient)) {
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", n.port())) {
                s.setSoTimeout(10_000);
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                if (n == strict) {
                    assertThrows(IOException.class, s::startHandshake, "TLS 1.2 accepted by a node that allows only 1.3");
                } else {
                    s.startHandshake();
                    assertEquals("TLSv1.2", s.getSession().getProtocol());
                }
            }
        }
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", strict.port())) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
    }

    @Test
    void tlsHandshakeWorkRunsOnItsOwnPoolNotOnTheThreadThatSendsHeartbeats() throws Exception {
        TcpDist a = node("a", stores("a", "trust"), true);
        TcpDist b = node("b", stores("b", "trust"), true);
        connect(a, b);
        // the pool's threads outlive the handshake by their idle time (10 s): they are there now
        for (TcpDist n : List.of(a, b)) {
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("gencluster-tcp-tls-" + n.self())), "no TLS pool thread for " + n.self());
        }
        assertEquals(Set.of(b.self()), a.members());
    }
}
