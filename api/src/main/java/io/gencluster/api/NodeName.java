package io.gencluster.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The name of a node: {@code name@host}, as in Erlang.
 *
 * <p>The name part follows Erlang's rule for the "alive" part of a node name: one to 255 ASCII
 * letters, digits, {@code _} or {@code -}. The host part is what other nodes use to reach this
 * node (a host name, a fully qualified name or an IP address, IPv6 included): one to 255
 * printable characters without spaces or {@code @}. Two node names are equal when both parts are
 * equal as written; no DNS lookup is involved.
 *
 * <p>Instances are immutable and safe to share between threads. They order by host, then name,
 * which gives every node the same deterministic order (used to settle simultaneous connects).
 */
public record NodeName(String name, String host) implements Comparable<NodeName> {

    /** Longest name part and longest host part accepted (Erlang atoms are limited to 255). */
    public static final int MAX_PART_LENGTH = 255;

    private static final Pattern NAME = Pattern.compile("[0-9A-Za-z_\\-]+");
    private static final Pattern HOST = Pattern.compile("[!-?A-~\u00a1-\u00ff]+");

    /**
     * @param name the name part, before the {@code @}
     * @param host the host part, after the {@code @}, as written
     * @throws IllegalArgumentException naming the bad part when either part is invalid
     */
    public NodeName {
        Objects.requireNonNull(name, "name part");
        Objects.requireNonNull(host, "host part");
        if (name.isEmpty() || name.length() > MAX_PART_LENGTH || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid node name '" + name + "@" + host + "': name part '" + name
                    + "' must be 1-" + MAX_PART_LENGTH + " characters of A-Z a-z 0-9 _ -");
        }
        if (host.isEmpty() || host.length() > MAX_PART_LENGTH || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("invalid node name '" + name + "@" + host + "': host part '" + host
                    + "' must be 1-" + MAX_PART_LENGTH + " printable characters without spaces or '@'");
        }
    }

    /**
     * Parses {@code name@host}.
     *
     * @throws IllegalArgumentException naming the bad part when the text is not a node name
     */
    public static NodeName parse(String text) {
        Objects.requireNonNull(text, "node name");
        int at = text.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("invalid node name '" + text + "': expected name@host");
        }
        return of(text.substring(0, at), text.substring(at + 1));
    }

    /**
     * Builds a node name from its two parts.
     *
     * @throws IllegalArgumentException naming the bad part when either part is invalid
     */
    public static NodeName of(String name, String host) {
        return new NodeName(name, host);
    }

    @Override
    public int compareTo(NodeName other) {
        int byHost = host.compareTo(other.host);
        return byHost != 0 ? byHost : name.compareTo(other.name);
    }

    /** {@code name@host}. */
    @Override
    public String toString() {
        return name + "@" + host;
    }
}
