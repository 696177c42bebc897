package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
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
    final int sendQueueBytes;
    final int mailboxQueue;
    final boolean epmdRegister;
    final int epmdPort;
    final java.util.Random random;

    private ErlangDistSettings(Builder b) {
        self = Objects.requireNonNull(b.self, "node name");
        if (b.cookie == null || b.cookie.length == 0) {
            throw invalid("cookie", "", "must not be empty");
        }
        cookie = b.cookie.clone();
        bindAddress = Objects.requireNonNull(b.bindAddress, "bind address");
        if (b.port < 0 || b.port > 65535) {
            throw invalid("port", b.port, "must be 0 (any free port) or a port number");
        }
        port = b.port;
        hidden = b.hidden;
        // Erlang's net_ticktime is whole seconds, at least 1; the tick goes out every quarter of it
        if (b.netTickTime.toMillis() < 1000 || b.netTickTime.toSeconds() > 3600) {
            throw invalid("net.ticktime.s", b.netTickTime.toSeconds(), "must be 1-3600 seconds");
        }
        netTickTime = b.netTickTime;
        if (b.handshakeTimeout.toMillis() < 1 || b.handshakeTimeout.toSeconds() > 120) {
            throw invalid("handshake.timeout.ms", b.handshakeTimeout.toMillis(), "must be 1 ms to 120 s (Erlang's cap)");
        }
        handshakeTimeout = b.handshakeTimeout;
        if (b.maxFrameBytes < 1024) {
            throw invalid("max.frame.bytes", b.maxFrameBytes, "must be at least 1024");
        }
        maxFrameBytes = b.maxFrameBytes;
        if (b.sendQueueBytes < maxFrameBytes) {
            throw invalid("send.queue.bytes", b.sendQueueBytes, "must hold at least one frame of max.frame.bytes (" + maxFrameBytes + ")");
        }
        sendQueueBytes = b.sendQueueBytes;
        if (b.mailboxQueue < 1) {
            throw invalid("mailbox.queue", b.mailboxQueue, "must be at least 1");
        }
        mailboxQueue = b.mailboxQueue;
        epmdRegister = b.epmdRegister;
        if (b.epmdPort < 1 || b.epmdPort > 65535) {
            throw invalid("epmd.port", b.epmdPort, "must be a port number");
        }
        epmdPort = b.epmdPort;
        random = b.random != null ? b.random : new java.security.SecureRandom();
    }

    public static Builder builder(NodeName self, byte[] cookie) {
        return new Builder(self, cookie);
    }

    public NodeName self() {
        return self;
    }

    /** A setting refused, naming the key (as in the configuration) and the value. */
    static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("invalid " + key + " '" + value + "': " + why);
    }

    /** Settings with Erlang's defaults; every setter returns this builder. */
    public static final class Builder {
        private final NodeName self;
        private final byte[] cookie;
        private String bindAddress = "0.0.0.0";
        private int port;
        private boolean hidden = true;
        private Duration netTickTime = Duration.ofSeconds(60);
        private Duration handshakeTimeout = Duration.ofSeconds(7);
        private int maxFrameBytes = 16 << 20;
        private int sendQueueBytes = 64 << 20;
        private int mailboxQueue = 10000;
        private boolean epmdRegister;
        private int epmdPort = io.gencluster.epmd.EpmdClient.defaultPort();
        private java.util.Random random;

        private Builder(NodeName self, byte[] cookie) {
            this.self = self;
            this.cookie = cookie;
        }

        public Builder bindAddress(String v) {
            bindAddress = v;
            return this;
        }

        /** 0: any free port (EPMD tells Erlang nodes which). */
        public Builder port(int v) {
            port = v;
            return this;
        }

        /** Hidden (the default): Erlang lists the node in {@code nodes(hidden)} and sends it no {@code global} traffic. */
        public Builder hidden(boolean v) {
            hidden = v;
            return this;
        }

        /** Erlang's {@code net_ticktime}: a tick every quarter of it, down after it passes in silence. */
        public Builder netTickTime(Duration v) {
            netTickTime = v;
            return this;
        }

        public Builder handshakeTimeout(Duration v) {
            handshakeTimeout = v;
            return this;
        }

        public Builder maxFrameBytes(int v) {
            maxFrameBytes = v;
            return this;
        }

        public Builder sendQueueBytes(int v) {
            sendQueueBytes = v;
            return this;
        }

        public Builder mailboxQueue(int v) {
            mailboxQueue = v;
            return this;
        }

        /** Registers with the local EPMD on {@code port}, and finds port-less peers through theirs. */
        public Builder epmd(boolean register, int port) {
            epmdRegister = register;
            epmdPort = port;
            return this;
        }

        /** Source of challenges; default a SecureRandom. */
        public Builder random(java.util.Random v) {
            random = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the key and value of the first invalid setting */
        public ErlangDistSettings build() {
            return new ErlangDistSettings(this);
        }
    }
}
