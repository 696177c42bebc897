package io.gencluster.dist.kit;

import io.gencluster.api.NodeName;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Random;

/**
 * What every transport's settings builder takes: the node's name and cookie, where it listens, how
 * long a handshake may take, the bounds of a frame, of a connection's send queue and of a mailbox,
 * EPMD registration, and the source of nonces. A transport's builder extends this with its own
 * settings and sets its defaults; its settings class reads the values back, as a
 * {@link ProcessBuilder} is read (the setter's name without an argument), and checks them.
 *
 * @param <B> the transport's builder, which every setter returns
 */
public abstract class SettingsBuilder<B extends SettingsBuilder<B>> {

    private final NodeName self;
    private final byte[] cookie;
    private String bindAddress = "0.0.0.0";
    private int port;
    private Duration handshakeTimeout;
    private int maxFrameBytes;
    private int sendQueueBytes;
    private boolean allowShortCookie;
    private int mailboxQueue = 10_000;
    private int mailboxQueueBytes = 64 << 20;
    private boolean epmdRegister;
    private int epmdPort;
    private Random random;

    /** @param epmdPort where the local EPMD listens unless told otherwise */
    protected SettingsBuilder(NodeName self, byte[] cookie, int epmdPort) {
        this.self = self;
        this.cookie = cookie;
        this.epmdPort = epmdPort;
    }

    @SuppressWarnings("unchecked")
    private B me() {
        return (B) this;
    }

    /**
     * Accepts a cookie shorter than {@link SettingChecks#LEAST_COOKIE_BYTES} (key
     * {@code cookie.allow.short}). Unsafe: such a cookie can be guessed; for tests, labs and
     * Erlang clusters whose cookie cannot change yet.
     */
    public final B allowShortCookie(boolean v) {
        allowShortCookie = v;
        return me();
    }

    public final B bindAddress(String v) {
        bindAddress = v;
        return me();
    }

    /** The port to listen on; 0: any free port. */
    public final B port(int v) {
        port = v;
        return me();
    }

    public final B handshakeTimeout(Duration v) {
        handshakeTimeout = v;
        return me();
    }

    /** The largest frame a connection accepts; a larger one closes it. */
    public final B maxFrameBytes(int v) {
        maxFrameBytes = v;
        return me();
    }

    /** Bytes of messages queued per connection before senders wait (backpressure). */
    public final B sendQueueBytes(int v) {
        sendQueueBytes = v;
        return me();
    }

    /** Messages queued per mailbox before readers wait (for a bounded time, then drop). */
    public final B mailboxQueue(int v) {
        mailboxQueue = v;
        return me();
    }

    /**
     * Bytes a mailbox holds, queued or being delivered, before readers wait as for
     * {@link #mailboxQueue}; each message counts its payload plus 32 bytes. Default 64 MiB.
     */
    public final B mailboxQueueBytes(int v) {
        mailboxQueueBytes = v;
        return me();
    }

    /** Registers with the local EPMD on {@code port}, and finds peers without a port through theirs. Off unless called. */
    public final B epmd(boolean register, int port) {
        epmdRegister = register;
        epmdPort = port;
        return me();
    }

    /** Source of handshake nonces and challenges; default a {@link SecureRandom}. Only tests pass a predictable one. */
    public final B random(Random v) {
        random = v;
        return me();
    }

    public final NodeName self() {
        return self;
    }

    public final byte[] cookie() {
        return cookie;
    }

    public final boolean allowShortCookie() {
        return allowShortCookie;
    }

    public final String bindAddress() {
        return bindAddress;
    }

    public final int port() {
        return port;
    }

    public final Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public final int maxFrameBytes() {
        return maxFrameBytes;
    }

    public final int sendQueueBytes() {
        return sendQueueBytes;
    }

    public final int mailboxQueue() {
        return mailboxQueue;
    }

    public final int mailboxQueueBytes() {
        return mailboxQueueBytes;
    }

    public final boolean epmdRegister() {
        return epmdRegister;
    }

    public final int epmdPort() {
        return epmdPort;
    }

    /** The random set, or a new {@link SecureRandom}. */
    public final Random random() {
        return random != null ? random : new SecureRandom();
    }
}
