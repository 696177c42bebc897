package io.gencluster.dist.tcp.tls;

import io.gencluster.api.NodeName;
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
 * Whether a peer's certificate names the host of the node it claims to be: its subject
 * alternative names, DNS names for a host name and an IP address for an IP host, as HTTPS checks
 * a server's identity.
 */
final class CertificateNames {

    private CertificateNames() {
    }

    /** Refuses {@code initiator} unless the certificate of {@code session}'s peer names its host. */
    static void require(SSLSession session, NodeName initiator) throws RefusedException {
        String host = initiator.host();
        List<String> named = new ArrayList<>();
        try {
            Certificate[] chain = session.getPeerCertificates();
            Collection<List<?>> sans = chain.length > 0 && chain[0] instanceof X509Certificate x
                    ? x.getSubjectAlternativeNames() : null;
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                int type = (Integer) san.get(0);
                if (type == 2 || type == 7) {
                    named.add(String.valueOf(san.get(1)));
                    if (type == 2 ? dnsNameMatches(String.valueOf(san.get(1)), host) : sameAddress(String.valueOf(san.get(1)), host)) {
                        return;
                    }
                }
            }
        } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
            named.add("(unreadable: " + e.getMessage() + ")");
        }
        throw Handshake.refusal(FrameCodec.REFUSED_PROTOCOL, initiator + "'s certificate does not name host " + host
                + " (it names " + named + "; tls.verify.hostname is on)");
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
