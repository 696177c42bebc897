package io.gencluster.dist.tcp.tls;

import io.gencluster.dist.kit.SettingChecks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the transport's TLS context (JSSE, TLS 1.3/1.2) from key and trust stores (PKCS12 or JKS)
 * or from PEM files: this node's certificate chain and PKCS#8 private key, and the CA
 * certificates it trusts. Both sides present and check certificates (mutual authentication).
 */
public final class Tls {

    private Tls() {
    }

    /** From a key store (this node's key and chain) and a trust store (the CAs it trusts). */
    public static SSLContext fromStores(Path keyStore, char[] keyPassword, Path trustStore, char[] trustPassword) {
        try {
            return context(load(keyStore, keyPassword, "tls.keystore"), keyPassword, load(trustStore, trustPassword, "tls.truststore"));
        } catch (GeneralSecurityException e) {
            throw SettingChecks.invalid("tls.keystore", keyStore, e.getMessage());
        }
    }

    /** From PEM files: certificate chain, unencrypted PKCS#8 private key, trusted CA certificates. */
    public static SSLContext fromPem(Path certificate, Path privateKey, Path ca) {
        try {
            List<Certificate> chain = certificates(certificate, "tls.certificate");
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] none = new char[0];
            keys.setKeyEntry("node", key(privateKey), none, chain.toArray(new Certificate[0]));
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates(ca, "tls.ca")) {
                trust.setCertificateEntry("ca" + i++, c);
            }
            return context(keys, none, trust);
        } catch (GeneralSecurityException | IOException e) {
            throw SettingChecks.invalid("tls.certificate", certificate, e.getMessage());
        }
    }

    private static SSLContext context(KeyStore keys, char[] keyPassword, KeyStore trust) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, keyPassword);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyStore load(Path file, char[] password, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw SettingChecks.invalid(key, file, "cannot be read: " + e.getMessage());
        }
    }

    private static List<Certificate> certificates(Path pem, String key) {
        try (InputStream in = Files.newInputStream(pem)) {
            List<Certificate> out = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (out.isEmpty()) {
                throw SettingChecks.invalid(key, pem, "holds no certificate");
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw SettingChecks.invalid(key, pem, "cannot be read: " + e.getMessage());
        }
    }

    private static PrivateKey key(Path pem) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = text.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw SettingChecks.invalid("tls.private.key", pem, "expected an unencrypted PKCS#8 key (BEGIN PRIVATE KEY)");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next
            }
        }
        throw SettingChecks.invalid("tls.private.key", pem, "not an RSA, EC or Ed25519 key");
    }
}
