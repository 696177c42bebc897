package io.gencluster.runtime;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The runtime's validated settings. The constructor checks every value once and names the key and
 * the value it rejects, so a bad {@code .cfg} file gives one clear error instead of a loop that
 * misbehaves later; the caller decides what happens next (the OSGi component keeps the settings
 * it runs on, a plain-Java node does not start).
 */
public final class RuntimeSettings {

    public static final String REFRESH_INTERVAL = "refresh.interval.ms";
    public static final String CONNECT_TIMEOUT = "connect.timeout.ms";
    public static final String DISCOVERY_TIMEOUT = "discovery.timeout.ms";
    public static final String BACKOFF_INITIAL = "reconnect.backoff.initial.ms";
    public static final String BACKOFF_MAX = "reconnect.backoff.max.ms";
    public static final String REMOVED_NODES = "removed.nodes";
    public static final String REMOVED_GRACE = "removed.grace.ms";
    /**
     * 15 s: longer than a port mapper restart (its NAMES list is empty until the nodes register
     * again, 0.5 s apart) or a DNS record set caught mid-update, which are answers, not departures.
     */
    static final long DEFAULT_REMOVED_GRACE_MS = 15_000;
    /**
     * Longest accepted duration, about 24.8 days: longer is a typo, not a plan, and would overflow
     * the loop's time arithmetic (a timeout plus its grace, a clock plus a delay).
     */
    static final long MAX_MS = Integer.MAX_VALUE;

    private final Duration refreshInterval; // null = connect once
    private final Duration connectTimeout;
    private final Duration discoveryTimeout;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final RemovedNodes removedNodes;
    private final Duration removedGrace;

    /**
     * @throws IllegalArgumentException naming the key and value of the first invalid setting
     */
    public RuntimeSettings(String refreshInterval, long connectTimeoutMs, long discoveryTimeoutMs,
            long backoffInitialMs, long backoffMaxMs, String removedNodes) {
        this(refreshInterval, connectTimeoutMs, discoveryTimeoutMs, backoffInitialMs, backoffMaxMs, removedNodes,
                DEFAULT_REMOVED_GRACE_MS);
    }

    /**
     * @param removedGraceMs how long a connected node must stay undiscovered before
     *     {@code removed.nodes = disconnect} disconnects it; 0: at the first refresh without it
     * @throws IllegalArgumentException naming the key and value of the first invalid setting
     */
    public RuntimeSettings(String refreshInterval, long connectTimeoutMs, long discoveryTimeoutMs,
            long backoffInitialMs, long backoffMaxMs, String removedNodes, long removedGraceMs) {
        this.refreshInterval = parseInterval(refreshInterval);
        this.connectTimeout = positive(CONNECT_TIMEOUT, connectTimeoutMs);
        this.discoveryTimeout = positive(DISCOVERY_TIMEOUT, discoveryTimeoutMs);
        this.backoffInitial = positive(BACKOFF_INITIAL, backoffInitialMs);
        this.backoffMax = positive(BACKOFF_MAX, backoffMaxMs);
        if (backoffMaxMs < backoffInitialMs) {
            throw invalid(BACKOFF_MAX, backoffMaxMs, "must not be less than " + BACKOFF_INITIAL + " (" + backoffInitialMs + ")");
        }
        this.removedNodes = parseRemovedNodes(removedNodes);
        if (removedGraceMs < 0 || removedGraceMs > MAX_MS) {
            throw invalid(REMOVED_GRACE, removedGraceMs, "must be 0 or a positive number of milliseconds up to " + MAX_MS);
        }
        this.removedGrace = Duration.ofMillis(removedGraceMs);
    }

    /**
     * Reads the typed configuration, as DS or the plain-Java launcher filled it; a value that could
     * not be converted is reported with its raw text from {@code properties}.
     */
    static RuntimeSettings of(RuntimeConfig config, java.util.Map<String, ?> properties) {
        return new RuntimeSettings(
                config.refresh_interval_ms(),
                read(CONNECT_TIMEOUT, config::connect_timeout_ms, properties),
                read(DISCOVERY_TIMEOUT, config::discovery_timeout_ms, properties),
                read(BACKOFF_INITIAL, config::reconnect_backoff_initial_ms, properties),
                read(BACKOFF_MAX, config::reconnect_backoff_max_ms, properties),
                config.removed_nodes(),
                read(REMOVED_GRACE, config::removed_grace_ms, properties));
    }

    private static long read(String key, java.util.function.LongSupplier value, java.util.Map<String, ?> properties) {
        try {
            return value.getAsLong();
        } catch (RuntimeException e) {
            throw invalid(key, properties.get(key), "expected a whole number of milliseconds");
        }
    }

    /** Defaults of every key, as documented. */
    public static RuntimeSettings defaults() {
        return new RuntimeSettings("5000", 5000, 10000, 500, 30000, "keep", DEFAULT_REMOVED_GRACE_MS);
    }

    private static Duration parseInterval(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equalsIgnoreCase("infinity")) {
            return null;
        }
        long ms;
        try {
            ms = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw invalid(REFRESH_INTERVAL, text, "expected a number of milliseconds, or 'infinity' to connect once");
        }
        if (ms == 0) {
            throw invalid(REFRESH_INTERVAL, text, "0 would refresh without pause; use a positive interval, or 'infinity'");
        }
        if (ms > MAX_MS) {
            throw invalid(REFRESH_INTERVAL, text, "must be at most " + MAX_MS + " ms, or 'infinity'");
        }
        return ms < 0 ? null : Duration.ofMillis(ms);
    }

    private static Duration positive(String key, long ms) {
        if (ms <= 0) {
            throw invalid(key, ms, "must be a positive number of milliseconds");
        }
        if (ms > MAX_MS) {
            throw invalid(key, ms, "must be at most " + MAX_MS + " ms");
        }
        return Duration.ofMillis(ms);
    }

    private static RemovedNodes parseRemovedNodes(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "keep":
                return RemovedNodes.KEEP;
            case "disconnect":
                return RemovedNodes.DISCONNECT;
            default:
                throw invalid(REMOVED_NODES, text, "expected 'keep' or 'disconnect'");
        }
    }

    static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key '" + key + "' has invalid value '" + value + "': " + why);
    }

    /** Time between refreshes; empty = discover and connect once, never again. */
    public Optional<Duration> refreshInterval() {
        return Optional.ofNullable(refreshInterval);
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration discoveryTimeout() {
        return discoveryTimeout;
    }

    public Duration backoffInitial() {
        return backoffInitial;
    }

    public Duration backoffMax() {
        return backoffMax;
    }

    RemovedNodes removedNodes() {
        return removedNodes;
    }

    /** How long a node must stay undiscovered before {@code removed.nodes = disconnect} disconnects it. */
    public Duration removedGrace() {
        return removedGrace;
    }

    @Override
    public String toString() {
        return REFRESH_INTERVAL + "=" + (refreshInterval == null ? "infinity" : refreshInterval.toMillis())
                + ", " + CONNECT_TIMEOUT + "=" + connectTimeout.toMillis()
                + ", " + DISCOVERY_TIMEOUT + "=" + discoveryTimeout.toMillis()
                + ", " + BACKOFF_INITIAL + "=" + backoffInitial.toMillis()
                + ", " + BACKOFF_MAX + "=" + backoffMax.toMillis()
                + ", " + REMOVED_NODES + "=" + removedNodes.name().toLowerCase(Locale.ROOT)
                + ", " + REMOVED_GRACE + "=" + removedGrace.toMillis();
    }
}
