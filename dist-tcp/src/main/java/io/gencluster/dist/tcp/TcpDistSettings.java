package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.SettingChecks;
import io.gencluster.dist.kit.SettingsBuilder;
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
        self = Objects.requireNonNull(b.self(), "node name");
        cookie = SettingChecks.cookie(b.cookie());
        bindAddress = Objects.requireNonNull(b.bindAddress(), "bind address");
        port = port("port", b.port());
        peerPort = port("peer.port", b.peerPort < 0 ? b.port() : b.peerPort);
        tick = positive("tick.ms", b.tick);
        tickTimeout = positive("tick.timeout.ms", b.tickTimeout);
        if (tickTimeout.compareTo(tick.multipliedBy(2)) <= 0) {
            // a window of fewer than two ticks declares a healthy but briefly delayed peer dead
            throw SettingChecks.invalid("tick.timeout.ms", tickTimeout.toMillis(), "must be more than twice tick.ms (" + tick.toMillis() + ")");
        }
        handshakeTimeout = positive("handshake.timeout.ms", b.handshakeTimeout());
        maxHandshakes = SettingChecks.atLeast("max.handshakes", b.maxHandshakes, 1);
        maxFrameBytes = SettingChecks.atLeast("max.frame.bytes", b.maxFrameBytes(), FrameCodec.MAX_HANDSHAKE_FRAME);
        // a frame's length and type go into the send queue with it
        sendQueueBytes = SettingChecks.holdsOneFrame(b.sendQueueBytes(), maxFrameBytes, 5);
        mailboxQueue = SettingChecks.atLeast("mailbox.queue", b.mailboxQueue(), 1);
        transitive = b.transitive;
        tls = b.tls;
        tlsVerifyHostname = b.tlsVerifyHostname;
        epmdRegister = b.epmdRegister();
        epmdPort = SettingChecks.portNumber("epmd.port", b.epmdPort());
        epmdEmbedded = b.epmdEmbedded;
        clock = Objects.requireNonNull(b.clock, "clock");
        random = b.random();
    }

    public static Builder builder(NodeName self, byte[] cookie) {
        return new Builder(self, cookie);
    }

    public NodeName self() {
        return self;
    }

    private static int port(String key, int value) {
        if (value < 0 || value > 65535) {
            throw SettingChecks.invalid(key, value, "must be a port number 0-65535");
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
            throw SettingChecks.invalid(key, d == null ? null : d.toMillis(), "must be a positive number of milliseconds");
        }
        if (d.toMillis() > MAX_MS) {
            throw SettingChecks.invalid(key, d.toMillis(), "must be at most " + MAX_MS + " ms");
        }
        return d;
    }

    /** Builder with the documented defaults. */
    public static final class Builder extends SettingsBuilder<Builder> {
        private int peerPort = -1;
        private Duration tick = Duration.ofMillis(500);
        private Duration tickTimeout = Duration.ofMillis(2500);
        private int maxHandshakes = 64;
        private boolean transitive = true;
        private javax.net.ssl.SSLContext tls;
        private boolean tlsVerifyHostname;
        private boolean epmdEmbedded = true;
        private java.time.Clock clock = new MonotonicClock();

        private Builder(NodeName self, byte[] cookie) {
            super(self, cookie, io.gencluster.epmd.EpmdClient.defaultPort());
            port(4370).handshakeTimeout(Duration.ofMillis(5000)).maxFrameBytes(1 << 20).sendQueueBytes(8 << 20);
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

        public Builder maxHandshakes(int v) {
            maxHandshakes = v;
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
            epmdEmbedded = embedded;
            return epmd(register, port);
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

        /** @throws IllegalArgumentException naming the key and value of the first invalid setting */
        public TcpDistSettings build() {
            return new TcpDistSettings(this);
        }
    }
}
