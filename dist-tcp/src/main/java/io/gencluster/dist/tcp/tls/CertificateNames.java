package io.gencluster.dist.tcp.tls;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.LogText;
import io.gencluster.dist.tcp.AddressLiteral;
import io.gencluster.dist.tcp.wire.FrameCodec;
import io.gencluster.dist.tcp.wire.Handshake;
import io.gencluster.dist.tcp.wire.RefusedException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Whether a peer's certificate names the node it claims to be ({@link PeerNames}): its subject
 * alternative names, DNS names for a host name and an IP address for an IP host (as HTTPS checks a
 * server's identity), or a {@code gencluster:} URI for the whole node name.
 */
final class CertificateNames {

    private static final int DNS = 2;
    private static final int URI = 6;
    private static final int IP = 7;

    private CertificateNames() {
    }

    /** Refuses {@code claimed} unless the certificate of {@code session}'s peer names it as {@code mode} asks. */
    static void require(SSLSession session, NodeName claimed, PeerNames mode) throws RefusedException {
        if (mode == PeerNames.OFF) {
            return;
        }
        String host = claimed.host();
        List<String> named = new ArrayList<>();
        try {
            Certificate[] chain = session.getPeerCertificates();
            Collection<List<?>> sans = chain.length > 0 && chain[0] instanceof X509Certificate x
                    ? x.getSubjectAlternativeNames() : null;
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1));
                if (type == DNS || type == IP || type == URI) {
                    named.add((type == DNS ? "DNS:" : type == IP ? "IP:" : "URI:") + LogText.escape(value));
                }
                boolean match = switch (mode) {
                    case HOST -> type == DNS ? dnsNameMatches(value, host) : type == IP && sameAddress(value, host);
                    case NODE -> type == URI && value.equals(PeerNames.URI_SCHEME + claimed);
                    case OFF -> true;
                };
                if (match) {
                    return;
                }
            }
        } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
            named.add("(unreadable: " + e.getMessage() + ")");
        }
        String wanted = mode == PeerNames.HOST ? "host " + host : "node " + PeerNames.URI_SCHEME + claimed;
        throw Handshake.refusal(FrameCodec.REFUSED_PROTOCOL, "the certificate of the peer claiming to be " + claimed
                + " does not name " + wanted + " (it names " + (named.isEmpty() ? "nothing" : String.join(", ", named))
                + "; tls.verify.name = " + mode.key() + ")");
    }

    private static boolean dnsNameMatches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT).replaceFirst("\\.$", "");
        String h = host.toLowerCase(Locale.ROOT).replaceFirst("\\.$", "");
        if (AddressLiteral.is(h)) {
            return false; // an IP host is named by an IP address entry only
        }
        if (p.startsWith("*.")) { // one whole leftmost label, as HTTPS identity checks allow
            int dot = h.indexOf('.');
            return dot > 0 && h.substring(dot + 1).equals(p.substring(2));
        }
        return p.equals(h);
    }

    private static boolean sameAddress(String address, String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!AddressLiteral.is(h)) {
            return false;
        }
        try { // both literals: no name lookup
            return InetAddress.getByName(address).equals(InetAddress.getByName(h));
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
