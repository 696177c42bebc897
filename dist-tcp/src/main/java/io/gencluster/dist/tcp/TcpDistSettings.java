package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import io.gencluster.dist.tcp.tls.Tls;
import io.gencluster.dist.tcp.wire.FrameCodec;
import java.time.Duration;
import java.util.Objects;

/**
 * Validated settings of a {@link TcpDist}. Build with {@link #builder(NodeName, byte[])}; the
 * defaults are those documented for the {@code io.gencluster.dist.tcp} configuration.
 */
public final class TcpDistSettings {

    final NodeName self;
    final byte[] cookie;
    final String bindAddress;
    final int port;
    final int peerPort;
    final Duration tick;
    final Duration tickTimeout;
    final Duration handshakeTimeout;
    final int maxHandshakes;
    final int maxFrameBytes;
    final int sendQueueBytes;
    final int mailboxQueue;
    final boolean transitive;
    final javax.net.ssl.SSLContext tls; // null: plaintext
    final boolean tlsVerifyHostname;
    final boolean epmdRegister;
    final int epmdPort;
    final boolean epmdEmbedded;
    final java.time.Clock clock;
    final java.util.Random random;

    private TcpDistSettings(Builder b) {
        self = Objects.requireNonNull(b.self, "node name");
        if (b.cookie == null || b.cookie.length == 0) {
            throw invalid("cookie", "", "must not be empty");
        }
        cookie = b.cookie.clone();
        bindAddress = Objects.requireNonNull(b.bindAddress, "bind address");
        port = port("port", b.port, true);
        peerPort = port("peer.port", b.peerPort < 0 ? b.port : b.peerPort, true);
        tick = positive("tick.ms", b.tick);
        tickTimeout = positive("tick.timeout.ms", b.tickTimeout);
        if (tickTimeout.compareTo(tick.multipliedBy(2)) <= 0) {
            // a window of fewer than two ticks declares a healthy but briefly delayed peer dead
            throw invalid("tick.timeout.ms", tickTimeout.toMillis(), "must be more than twice tick.ms (" + tick.toMillis() + ")");
        }
        handshakeTimeout = positive("handshake.timeout.ms", b.handshakeTimeout);
        if (b.maxHandshakes < 1) {
            throw invalid("max.handshakes", b.maxHandshakes, "must be at least 1");
        }
        maxHandshakes = b.maxHandshakes;
        if (b.maxFrameBytes < FrameCodec.MAX_HANDSHAKE_FRAME) {
            throw invalid("max.frame.bytes", b.maxFrameBytes, "must be at least " + FrameCodec.MAX_HANDSHAKE_FRAME);
        }
        maxFrameBytes = b.maxFrameBytes;
        if (b.sendQueueBytes < maxFrameBytes + 5) {
            throw invalid("send.queue.bytes", b.sendQueueBytes, "must hold at least one frame of max.frame.bytes (" + maxFrameBytes + ")");
        }
        sendQueueBytes = b.sendQueueBytes;
        if (b.mailboxQueue < 1) {
            throw invalid("mailbox.queue", b.mailboxQueue, "must be at least 1");
        }
        mailboxQueue = b.mailboxQueue;
        transitive = b.transitive;
        tls = b.tls;
        tlsVerifyHostname = b.tlsVerifyHostname;
        epmdRegister = b.epmdRegister;
        epmdPort = b.epmdPort;
        if (epmdPort < 1 || epmdPort > 65535) {
            throw invalid("epmd.port", epmdPort, "must be a port number");
        }
        epmdEmbedded = b.epmdEmbedded;
        clock = Objects.requireNonNull(b.clock, "clock");
        random = b.random != null ? b.random : new java.security.SecureRandom();
    }

    public static Builder builder(NodeName self, byte[] cookie) {
        return new Builder(self, cookie);
    }

    public NodeName self() {
        return self;
    }

    private static int port(String key, int value, boolean zeroAllowed) {
        if (value < (zeroAllowed ? 0 : 1) || value > 65535) {
            throw invalid(key, value, "must be a port number 0-65535");
        }
        return value;
    }

    /**
     * Longest accepted duration, about 24.8 days (as the runtime's): longer is a typo, not a plan,
     * and near Long.MAX_VALUE ms a deadline (clock + duration) overflows into the past, so that
     * every handshake would time out at once.
     */
    static final long MAX_MS = Integer.MAX_VALUE;

    private static Duration positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw invalid(key, d == null ? null : d.toMillis(), "must be a positive number of milliseconds");
        }
        if (d.toMillis() > MAX_MS) {
            throw invalid(key, d.toMillis(), "must be at most " + MAX_MS + " ms");
        }
        return d;
    }

    static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key '" + key + "' has invalid value '" + value + "': " + why);
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private final NodeName self;
        private final byte[] cookie;
        private String bindAddress = "0.0.0.0";
        private int port = 4370;
        private int peerPort = -1;
        private Duration tick = Duration.ofMillis(1000);
        private Duration tickTimeout = Duration.ofMillis(10000);
        private Duration handshakeTimeout = Duration.ofMillis(5000);
        private int maxHandshakes = 64;
        private int maxFrameBytes = 1 << 20;
        private int sendQueueBytes = 8 << 20;
        private int mailboxQueue = 10_000;
        private boolean transitive = true;
        private javax.net.ssl.SSLContext tls;
        private boolean tlsVerifyHostname;
        private boolean epmdRegister;
        private int epmdPort = io.gencluster.epmd.EpmdClient.defaultPort();
        private boolean epmdEmbedded = true;
        private java.time.Clock clock = new MonotonicClock();
        private java.util.Random random;

        private Builder(NodeName self, byte[] cookie) {
            this.self = self;
            this.cookie = cookie;
        }

        public Builder bindAddress(String v) {
            bindAddress = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        /** Port for peers whose discovery gave none; default: the same as {@link #port(int)}. */
        public Builder peerPort(int v) {
            peerPort = v;
            return this;
        }

        public Builder tick(Duration v) {
            tick = v;
            return this;
        }

        public Builder tickTimeout(Duration v) {
            tickTimeout = v;
            return this;
        }

        public Builder handshakeTimeout(Duration v) {
            handshakeTimeout = v;
            return this;
        }

        public Builder maxHandshakes(int v) {
            maxHandshakes = v;
            return this;
        }

        public Builder maxFrameBytes(int v) {
            maxFrameBytes = v;
            return this;
        }

        /** Bytes of messages queued per connection before senders wait (backpressure). */
        public Builder sendQueueBytes(int v) {
            sendQueueBytes = v;
            return this;
        }

        /** Messages queued per mailbox before further ones are dropped. */
        public Builder mailboxQueue(int v) {
            mailboxQueue = v;
            return this;
        }

        /** Pass members on when nodes connect, so the mesh closes without waiting for discovery. */
        public Builder transitive(boolean v) {
            transitive = v;
            return this;
        }

        /**
         * Runs every connection over TLS with this context, both sides authenticated by certificate
         * (see {@link Tls}); {@code verifyHostname}: the certificate a node presents must also name
         * the host part of its node name (HTTPS-style endpoint identification), when dialled and
         * when it dials (for the name its HELLO gives).
         */
        public Builder tls(javax.net.ssl.SSLContext context, boolean verifyHostname) {
            tls = context;
            tlsVerifyHostname = verifyHostname;
            return this;
        }

        /**
         * Registers with the local EPMD on {@code port} and resolves peers without a port through
         * it; {@code embedded}: serve a port mapper when none answers. Off unless called (the OSGi
         * component turns it on by default).
         */
        public Builder epmd(boolean register, int port, boolean embedded) {
            epmdRegister = register;
            epmdPort = port;
            epmdEmbedded = embedded;
            return this;
        }

        /**
         * Time for ticks, silence detection and deadlines, and the time of events. Default: a
         * clock that follows {@link System#nanoTime()}, so that stepping the wall clock neither
         * declares every peer dead nor stops the ticks. Tests pass one they move themselves.
         */
        public Builder clock(java.time.Clock v) {
            clock = v;
            return this;
        }

        /** Source of handshake nonces; default a {@link java.security.SecureRandom}. Only tests pass a seeded one. */
        public Builder random(java.util.Random v) {
            random = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the key and value of the first invalid setting */
        public TcpDistSettings build() {
            return new TcpDistSettings(this);
        }
    }
}
