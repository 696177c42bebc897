package io.gencluster.discovery.dns;

import io.gencluster.discovery.kit.PeerLimit;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Validated settings of a {@link DnsDiscovery}; the constructor names the key and value of the
 * first invalid setting.
 */
public final class DnsSettings {

    /** Which records are asked for. */
    public enum RecordType {
        A, AAAA, SRV
    }

    /** What becomes the host part of a peer's node name. */
    public enum HostType {
        /** The address (A/AAAA), or the addresses of the SRV target. */
        IP,
        /** The PTR name of each address (A/AAAA), or the SRV target itself. */
        HOSTNAME
    }

    static final int DNS_PORT = 53;
    /** About 24.8 days, as for every millisecond setting of gen-cluster. */
    static final long MAX_TIMEOUT_MS = Integer.MAX_VALUE;

    final String domain;
    final RecordType recordType;
    final String basename; // empty: this node's own name part
    final HostType hostType;
    final List<InetSocketAddress> servers; // empty: the system's resolvers
    final int port; // 0: none, the transport uses its peer.port
    final List<String> search; // empty: the system's search domains
    final Duration timeout;
    final int maxPeers;

    /**
     * @param recordType {@code A}, {@code AAAA} or {@code SRV}, any case
     * @param hostType {@code ip}, {@code hostname}, or empty for the record type's default
     *     ({@code ip} for A/AAAA, {@code hostname} for SRV)
     * @param servers {@code host}, {@code host:port} or {@code [v6]:port}; empty for the system's
     * @throws IllegalArgumentException naming the key and the value
     */
    public DnsSettings(String domain, String recordType, String basename, String hostType, List<String> servers,
            int port, List<String> search, long timeoutMs) {
        this(domain, recordType, basename, hostType, servers, port, search, timeoutMs, PeerLimit.DEFAULT);
    }

    /**
     * As above, with the most peers one answer gives ({@code max.peers}, at least 1).
     *
     * @throws IllegalArgumentException naming the key and the value
     */
    public DnsSettings(String domain, String recordType, String basename, String hostType, List<String> servers,
            int port, List<String> search, long timeoutMs, int maxPeers) {
        this.domain = Objects.requireNonNullElse(domain, "").trim();
        if (this.domain.isEmpty()) {
            throw invalid("domain", domain, "is required: the name to look up, e.g. my-service.my-namespace");
        }
        this.recordType = parse(RecordType.class, "record.type", recordType);
        this.basename = Objects.requireNonNullElse(basename, "").trim();
        if (!this.basename.isEmpty() && !this.basename.matches("[0-9A-Za-z_\\-]+")) {
            throw invalid("basename", basename, "must be the name part of a node name (A-Z a-z 0-9 _ -)");
        }
        String ht = Objects.requireNonNullElse(hostType, "").trim();
        this.hostType = ht.isEmpty()
                ? (this.recordType == RecordType.SRV ? HostType.HOSTNAME : HostType.IP)
                : parse(HostType.class, "host.type", ht);
        List<InetSocketAddress> parsed = new ArrayList<>();
        for (String s : servers) {
            if (!s.isBlank()) {
                parsed.add(server(s.trim()));
            }
        }
        this.servers = List.copyOf(parsed);
        if (port < 0 || port > 65535) {
            throw invalid("port", port, "must be 0 (none) or a port number");
        }
        this.port = port;
        List<String> domains = new ArrayList<>();
        for (String s : search) {
            if (!s.isBlank()) {
                domains.add(s.trim());
            }
        }
        this.search = List.copyOf(domains);
        if (timeoutMs <= 0) {
            throw invalid("timeout.ms", timeoutMs, "must be a positive number of milliseconds");
        }
        if (timeoutMs > MAX_TIMEOUT_MS) {
            // longer is a typo, not a plan; near Long.MAX_VALUE the resolver's deadline overflows
            throw invalid("timeout.ms", timeoutMs, "must be at most " + MAX_TIMEOUT_MS + " ms");
        }
        this.timeout = Duration.ofMillis(timeoutMs);
        if (maxPeers < 1) {
            throw invalid(PeerLimit.KEY, maxPeers, "must be at least 1 (the most peers one answer may give; default "
                    + PeerLimit.DEFAULT + ")");
        }
        this.maxPeers = maxPeers;
    }

    /**
     * The settings a configuration describes, as DS or a plain-Java node filled it; a number that
     * could not be converted is reported with its raw text from {@code raw}.
     *
     * @throws IllegalArgumentException naming the key and value of the first invalid setting
     */
    static DnsSettings of(DnsDiscoveryConfig c, Map<String, ?> raw) {
        return new DnsSettings(c.domain(), c.record_type(), c.basename(), c.host_type(),
                split(c.servers()), number("port", c::port, raw), split(c.search()), number("timeout.ms", c::timeout_ms, raw),
                number(PeerLimit.KEY, c::max_peers, raw));
    }

    /** A .cfg file gives a list as one string: accept commas and spaces as separators too. */
    private static List<String> split(String[] values) {
        return Arrays.stream(values).flatMap(v -> Arrays.stream(v.split("[,\\s]+"))).filter(s -> !s.isEmpty()).toList();
    }

    private static <T> T number(String key, Supplier<T> value, Map<String, ?> raw) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw invalid(key, raw.get(key), "expected a whole number");
        }
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String key, String value) {
        try {
            return Enum.valueOf(type, Objects.requireNonNullElse(value, "").trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : " | ").append(key.equals("host.type") ? c.name().toLowerCase(Locale.ROOT) : c.name());
            }
            throw invalid(key, value, "expected " + allowed);
        }
    }

    private static InetSocketAddress server(String text) {
        String host = text;
        int port = DNS_PORT;
        try {
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                host = text.substring(1, close);
                if (close + 1 < text.length()) {
                    port = Integer.parseInt(text.substring(close + 2));
                }
            } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
                host = text.substring(0, text.indexOf(':'));
                port = Integer.parseInt(text.substring(text.indexOf(':') + 1));
            }
        } catch (RuntimeException e) {
            throw invalid("servers", text, "expected host, host:port or [v6-address]:port");
        }
        if (port < 1 || port > 65535 || host.isEmpty()) {
            throw invalid("servers", text, "expected host, host:port or [v6-address]:port");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key '" + key + "' has invalid value '" + value + "': " + why);
    }

    @Override
    public String toString() {
        return "domain=" + domain + ", record.type=" + recordType + ", host.type=" + hostType.name().toLowerCase(Locale.ROOT)
                + (basename.isEmpty() ? "" : ", basename=" + basename) + (servers.isEmpty() ? "" : ", servers=" + servers)
                + (port == 0 ? "" : ", port=" + port) + (search.isEmpty() ? "" : ", search=" + search)
                + ", timeout.ms=" + timeout.toMillis() + (maxPeers == PeerLimit.DEFAULT ? "" : ", max.peers=" + maxPeers);
    }
}
