package io.gencluster.dist.tcp;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.SettingChecks;
import io.gencluster.dist.kit.SettingsBuilder;
import io.gencluster.dist.tcp.tls.PeerNames;
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
    final long busyPollNanos;
    final Duration handshakeTimeout;
    final int maxHandshakes;
    final int maxOutgoingHandshakes;
    final int maxHandshakesPerAddress;
    final int maxFrameBytes;
    final int sendQueueBytes;
    final int mailboxQueue;
    final int mailboxQueueBytes;
    final boolean transitive;
    final javax.net.ssl.SSLContext tls; // null: plaintext
    final PeerNames tlsVerifyName;
    final boolean tlsAllow12;
    final boolean epmdRegister;
    final int epmdPort;
    final boolean epmdEmbedded;
    final java.time.Clock clock;
    final java.util.Random random;

    private TcpDistSettings(Builder b) {
        self = Objects.requireNonNull(b.self(), "node name");
        cookie = SettingChecks.cookie(b.cookie(), b.allowShortCookie());
        bindAddress = Objects.requireNonNull(b.bindAddress(), "bind address");
        port = port("port", b.port());
        peerPort = port("peer.port", b.peerPort < 0 ? b.port() : b.peerPort);
        tick = positive("tick.ms", b.tick);
        tickTimeout = positive("tick.timeout.ms", b.tickTimeout);
        if (b.busyPollMicros < 0 || b.busyPollMicros > BusyPoll.MAX_MICROS) {
            throw SettingChecks.invalid("busy.poll.us", b.busyPollMicros, "must be 0 (off) to " + BusyPoll.MAX_MICROS + " microseconds");
        }
        busyPollNanos = b.busyPollMicros * 1000;
        if (tickTimeout.compareTo(tick.multipliedBy(2)) <= 0) {
            // a window of fewer than two ticks declares a healthy but briefly delayed peer dead
            throw SettingChecks.invalid("tick.timeout.ms", tickTimeout.toMillis(), "must be more than twice tick.ms (" + tick.toMillis() + ")");
        }
        handshakeTimeout = positive("handshake.timeout.ms", b.handshakeTimeout());
        maxHandshakes = SettingChecks.atLeast("max.handshakes", b.maxHandshakes, 1);
        maxOutgoingHandshakes = SettingChecks.atLeast("max.handshakes.outgoing", b.maxOutgoingHandshakes, 1);
        maxHandshakesPerAddress = SettingChecks.atLeast("max.handshakes.per.address", b.maxHandshakesPerAddress, 1);
        maxFrameBytes = SettingChecks.atLeast("max.frame.bytes", b.maxFrameBytes(), FrameCodec.MAX_HANDSHAKE_FRAME);
        if (maxFrameBytes > FrameCodec.MAX_FRAME_LIMIT) {
            throw SettingChecks.invalid("max.frame.bytes", maxFrameBytes, "must be at most " + FrameCodec.MAX_FRAME_LIMIT
                    + " (64 MiB): a frame is held whole in memory on both sides; send a larger message in parts");
        }
        // a frame's length and type go into the send queue with it
        sendQueueBytes = SettingChecks.holdsOneFrame(b.sendQueueBytes(), maxFrameBytes, 5);
        mailboxQueue = SettingChecks.atLeast("mailbox.queue", b.mailboxQueue(), 1);
        mailboxQueueBytes = SettingChecks.atLeast("mailbox.queue.bytes", b.mailboxQueueBytes(), SettingChecks.LEAST_MAILBOX_BYTES);
        transitive = b.transitive;
        tls = b.tls;
        tlsVerifyName = Objects.requireNonNull(b.tlsVerifyName, "tls.verify.name");
        tlsAllow12 = b.tlsAllow12;
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
        private long busyPollMicros = 50;
        private int maxHandshakes = 64;
        private int maxOutgoingHandshakes = 64;
        private int maxHandshakesPerAddress = 16;
        private boolean transitive = true;
        private javax.net.ssl.SSLContext tls;
        private PeerNames tlsVerifyName = PeerNames.HOST;
        private boolean tlsAllow12;
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

        /**
         * How long the selector thread polls without sleeping after messages moved, and a
         * mailbox's thread after it emptied its queue ({@code busy.poll.us}, default 50 µs; zero:
         * never), so that a reply arriving meanwhile needs no wake-up; at most
         * {@link BusyPoll#MAX_MICROS} µs.
         */
        public Builder busyPollMicros(long v) {
            busyPollMicros = v;
            return this;
        }

        /** Incoming handshakes in progress at once ({@code max.handshakes}); more are closed at once. */
        public Builder maxHandshakes(int v) {
            maxHandshakes = v;
            return this;
        }

        /** This node's own dials in their handshake at once ({@code max.handshakes.outgoing}); more fail at once. */
        public Builder maxOutgoingHandshakes(int v) {
            maxOutgoingHandshakes = v;
            return this;
        }

        /** Incoming handshakes in progress from one remote address ({@code max.handshakes.per.address}). */
        public Builder maxHandshakesPerAddress(int v) {
            maxHandshakesPerAddress = v;
            return this;
        }

        /** Pass members on when nodes connect, so the mesh closes without waiting for discovery. */
        public Builder transitive(boolean v) {
            transitive = v;
            return this;
        }

        /**
         * Runs every connection over TLS with this context, both sides authenticated by certificate
         * (see {@link Tls}); {@code names}: how the certificate a node presents must name the node it
         * claims (default {@link PeerNames#HOST}), checked on both sides.
         */
        public Builder tls(javax.net.ssl.SSLContext context, PeerNames names) {
            tls = context;
            tlsVerifyName = names;
            return this;
        }

        /** Old form: {@code verifyHostname} true is {@link PeerNames#HOST}, false {@link PeerNames#OFF}. */
        public Builder tls(javax.net.ssl.SSLContext context, boolean verifyHostname) {
            return tls(context, verifyHostname ? PeerNames.HOST : PeerNames.OFF);
        }

        /** Allows TLS 1.2 besides TLS 1.3 ({@code tls.min.version = TLSv1.2}); default TLS 1.3 only. */
        public Builder tlsAllow12(boolean v) {
            tlsAllow12 = v;
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
