package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.SettingChecks;
import io.gencluster.dist.kit.SettingsBuilder;
import java.time.Duration;
import java.util.Objects;

/**
 * Validated settings of an {@link ErlangDist}. Build with {@link #builder(NodeName, byte[])}; the
 * defaults are those documented for the {@code io.gencluster.dist.erlang} configuration, which
 * follow Erlang's own where it has one (net tick time 60 s, set-up time 7 s, hidden like
 * JInterface and C nodes).
 */
public final class ErlangDistSettings {

    final NodeName self;
    final byte[] cookie;
    final String bindAddress;
    final int port;
    final boolean hidden;
    final Duration netTickTime;
    final Duration handshakeTimeout;
    final int maxFrameBytes;
    final int handshakesInboundMax;
    final int handshakesOutboundMax;
    final int handshakesPerAddressMax;
    final int sendQueueBytes;
    final int mailboxQueue;
    final int mailboxQueueBytes;
    final boolean epmdRegister;
    final int epmdPort;
    final java.util.Random random;

    /** Erlang's default {@code net_ticktime}. */
    static final Duration NET_TICKTIME = Duration.ofSeconds(60);
    /** Erlang's default {@code net_setuptime}, the longest a connection set-up may take. */
    static final Duration NET_SETUPTIME = Duration.ofSeconds(7);
    /** Largest {@code max.frame.bytes} accepted (1 GiB): a frame is one array, and lengths stay far from int overflow. */
    static final int MAX_FRAME_BYTES_LIMIT = 1 << 30;
    /** Defaults of {@code handshakes.inbound.max}, {@code handshakes.outbound.max}, {@code handshakes.per.address.max}. */
    static final int HANDSHAKES_INBOUND = 32, HANDSHAKES_OUTBOUND = 32, HANDSHAKES_PER_ADDRESS = 8;
    /** Most handshakes of either kind at once: each runs on a thread of its own. */
    static final int HANDSHAKES_LIMIT = 1024;

    private ErlangDistSettings(Builder b) {
        self = Objects.requireNonNull(b.self(), "node name");
        cookie = SettingChecks.cookie(b.cookie(), b.allowShortCookie());
        bindAddress = Objects.requireNonNull(b.bindAddress(), "bind address");
        if (b.port() < 0 || b.port() > 65535) {
            throw SettingChecks.invalid("port", b.port(), "must be 0 (any free port) or a port number");
        }
        port = b.port();
        hidden = b.hidden;
        // Erlang's net_ticktime is whole seconds, at least 1; the tick goes out every quarter of it
        if (b.netTickTime.toMillis() < 1000 || b.netTickTime.toSeconds() > 3600) {
            throw SettingChecks.invalid("net.ticktime.s", b.netTickTime.toSeconds(), "must be 1-3600 seconds");
        }
        netTickTime = b.netTickTime;
        Duration handshake = b.handshakeTimeout();
        if (handshake.toMillis() < 1 || handshake.toSeconds() > 120) {
            throw SettingChecks.invalid("handshake.timeout.ms", handshake.toMillis(), "must be 1 ms to 120 s (Erlang's cap)");
        }
        handshakeTimeout = handshake;
        maxFrameBytes = SettingChecks.atLeast("max.frame.bytes", b.maxFrameBytes(), 1024);
        if (maxFrameBytes > MAX_FRAME_BYTES_LIMIT) {
            throw SettingChecks.invalid("max.frame.bytes", maxFrameBytes, "must be at most " + MAX_FRAME_BYTES_LIMIT + " (1 GiB)");
        }
        handshakesInboundMax = handshakes("handshakes.inbound.max", b.handshakesInboundMax);
        handshakesOutboundMax = handshakes("handshakes.outbound.max", b.handshakesOutboundMax);
        handshakesPerAddressMax = handshakes("handshakes.per.address.max", b.handshakesPerAddressMax);
        if (handshakesPerAddressMax > handshakesInboundMax) {
            throw SettingChecks.invalid("handshakes.per.address.max", handshakesPerAddressMax,
                    "must be at most handshakes.inbound.max (" + handshakesInboundMax + ")");
        }
        sendQueueBytes = SettingChecks.holdsOneFrame(b.sendQueueBytes(), maxFrameBytes, 0);
        mailboxQueue = SettingChecks.atLeast("mailbox.queue", b.mailboxQueue(), 1);
        mailboxQueueBytes = SettingChecks.atLeast("mailbox.queue.bytes", b.mailboxQueueBytes(), SettingChecks.LEAST_MAILBOX_BYTES);
        epmdRegister = b.epmdRegister();
        epmdPort = SettingChecks.portNumber("epmd.port", b.epmdPort());
        random = b.random();
    }

    private static int handshakes(String key, int value) {
        if (value < 1 || value > HANDSHAKES_LIMIT) {
            throw SettingChecks.invalid(key, value, "must be 1-" + HANDSHAKES_LIMIT);
        }
        return value;
    }

    public static Builder builder(NodeName self, byte[] cookie) {
        return new Builder(self, cookie);
    }

    public NodeName self() {
        return self;
    }

    /** Settings with Erlang's defaults; every setter returns this builder. */
    public static final class Builder extends SettingsBuilder<Builder> {
        private boolean hidden = true;
        private Duration netTickTime = NET_TICKTIME;
        private int handshakesInboundMax = HANDSHAKES_INBOUND;
        private int handshakesOutboundMax = HANDSHAKES_OUTBOUND;
        private int handshakesPerAddressMax = HANDSHAKES_PER_ADDRESS;

        private Builder(NodeName self, byte[] cookie) {
            super(self, cookie, io.gencluster.epmd.EpmdClient.defaultPort());
            // port 0: any free port, which EPMD tells Erlang nodes
            port(0).handshakeTimeout(NET_SETUPTIME).maxFrameBytes(16 << 20).sendQueueBytes(64 << 20);
        }

        /** Hidden (the default): Erlang lists the node in {@code nodes(hidden)} and sends it no {@code global} traffic. */
        public Builder hidden(boolean v) {
            hidden = v;
            return this;
        }

        /**
         * Handshakes at once: of nodes dialling this one ({@code inbound}), of those from one
         * address ({@code perAddress}), and of this node's own dials ({@code outbound}).
         */
        public Builder handshakes(int inbound, int outbound, int perAddress) {
            handshakesInboundMax = inbound;
            handshakesOutboundMax = outbound;
            handshakesPerAddressMax = perAddress;
            return this;
        }

        /** @throws IllegalArgumentException naming the key and value of the first invalid setting */
        public ErlangDistSettings build() {
            return new ErlangDistSettings(this);
        }

        /** Erlang's {@code net_ticktime}: a tick every quarter of it, down after it passes in silence. */
        public Builder netTickTime(Duration v) {
            netTickTime = v;
            return this;
        }
    }
}
