package io.gencluster.dist.tcp.tls;

import io.gencluster.dist.kit.SettingChecks;
import java.util.Locale;

/**
 * How a TLS peer's certificate must name the node it claims in the handshake ({@code
 * tls.verify.name}), checked on both sides: by the acceptor for the name a dialler gives in its
 * HELLO, by the dialler for the node it dialled.
 */
public enum PeerNames {
    /**
     * The default: the certificate's subject alternative names hold the host part of the node
     * name, a DNS entry for a host name (a leading {@code *.} matches one whole label), an IP
     * entry for an IP address, as HTTPS checks a server. Every node on a host may use one
     * certificate; a node cannot pass for a node of another host.
     */
    HOST,
    /**
     * The certificate holds the whole node name as a URI subject alternative name {@code
     * gencluster:<name>@<host>} (keytool: {@code -ext san=uri:gencluster:a@host1}): one
     * certificate per node, so that a node cannot pass for another node of its own host either.
     */
    NODE,
    /** Any certificate from a trusted CA passes for any node; the cookie still proves membership. */
    OFF;

    /** The URI scheme of a node-name entry ({@link #NODE}). */
    public static final String URI_SCHEME = "gencluster:";

    /** The value of key {@code tls.verify.name}: host, node or off. */
    public static PeerNames parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "host", "" -> HOST;
            case "node" -> NODE;
            case "off" -> OFF;
            default -> throw SettingChecks.invalid("tls.verify.name", value, "must be host, node or off");
        };
    }

    /** The key's value for this mode. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
