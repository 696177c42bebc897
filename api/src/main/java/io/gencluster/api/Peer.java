package io.gencluster.api;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A node that discovery says should be in the cluster, with the port it listens on when the
 * strategy knows it (EPMD and SRV records do; a static list or an A record may not), and the
 * transport the node speaks when the strategy can tell (EPMD can: see {@link #transport()}).
 *
 * <p>Text form: {@code name@host}, {@code name@host:port}, or for an IPv6 host with a port
 * {@code name@[v6-address]:port}. A host with more than one colon and no brackets is an IPv6
 * address without a port ({@code name@::1}). The text form does not carry the transport.
 * Immutable; equal when node, port and transport are equal.
 *
 * @param transport the transport the node speaks, named as a {@code Dist} service's
 *     {@code gencluster.dist} property names its own ({@code tcp}, {@code erlang}); empty when
 *     discovery cannot tell. The runtime does not dial a peer whose transport is not its own.
 *     Since 2.1.
 */
public record Peer(NodeName node, OptionalInt port, Optional<String> transport) {

    /**
     * @param node the node's name
     * @param port the port the node listens on, if discovery knows it
     * @param transport the transport the node speaks, if discovery knows it
     * @throws IllegalArgumentException if a port is given that is not in 1..65535, or a blank transport
     * @since 2.1
     */
    public Peer {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(transport, "transport");
        if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65535)) {
            throw new IllegalArgumentException("invalid port " + port.getAsInt() + " for node " + node + ": must be 1-65535");
        }
        if (transport.isPresent() && transport.get().isBlank()) {
            throw new IllegalArgumentException("blank transport for node " + node + ": name one (tcp, erlang) or give none");
        }
    }

    /**
     * A peer whose transport is not known.
     *
     * @throws IllegalArgumentException if a port is given that is not in 1..65535
     */
    public Peer(NodeName node, OptionalInt port) {
        this(node, port, Optional.empty());
    }

    /**
     * This peer, known to speak {@code transport} ({@code tcp}, {@code erlang}, ...).
     *
     * @throws IllegalArgumentException if {@code transport} is blank
     * @since 2.1
     */
    public Peer withTransport(String transport) {
        return new Peer(node, port, Optional.of(Objects.requireNonNull(transport, "transport")));
    }

    /** A peer whose port is not known; the transport decides how to find it. */
    public static Peer of(NodeName node) {
        return new Peer(node, OptionalInt.empty());
    }

    /**
     * A peer listening on a known port.
     *
     * @throws IllegalArgumentException if the port is not in 1..65535
     */
    public static Peer of(NodeName node, int port) {
        return new Peer(node, OptionalInt.of(port));
    }

    /**
     * Parses the text form described on this class.
     *
     * @throws IllegalArgumentException naming the bad part
     */
    public static Peer parse(String text) {
        Objects.requireNonNull(text, "peer");
        String t = text.trim();
        int at = t.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("invalid peer '" + text + "': expected name@host or name@host:port");
        }
        String name = t.substring(0, at);
        String hostPort = t.substring(at + 1);
        String host = hostPort;
        String portText = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid peer '" + text + "': missing ']' after IPv6 host");
            }
            host = hostPort.substring(1, close);
            String rest = hostPort.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("invalid peer '" + text + "': expected ':port' after ']'");
                }
                portText = rest.substring(1);
            }
        } else {
            int first = hostPort.indexOf(':');
            if (first >= 0 && first == hostPort.lastIndexOf(':')) {
                host = hostPort.substring(0, first);
                portText = hostPort.substring(first + 1);
            }
        }
        NodeName node = NodeName.of(name, host);
        if (portText == null) {
            return of(node);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid peer '" + text + "': port '" + portText + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid peer '" + text + "': port " + port + " must be 1-65535");
        }
        return of(node, port);
    }

    /** The text form accepted by {@link #parse(String)}; it leaves the transport out. */
    @Override
    public String toString() {
        String host = node.host();
        if (port.isEmpty()) {
            // one colon would read as a port: bracket such a host (found by fuzzing: "X@[h:907]")
            boolean oneColon = host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':');
            return oneColon ? node.name() + "@[" + host + "]" : node.toString();
        }
        return node.name() + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port.getAsInt();
    }
}
