package io.gencluster.dist.tcp.wire;

import java.io.IOException;

/**
 * The handshake ended in a refusal, by either side; {@link #code} says why. When this side refuses,
 * {@link #reply} is the REFUSE frame to send before closing; null when the peer refused.
 */
public final class RefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int code;
    private final transient byte[] reply;

    public RefusedException(int code, String message) {
        this(code, message, null);
    }

    RefusedException(int code, String message, byte[] reply) {
        super(message);
        this.code = code;
        this.reply = reply;
    }

    /** The REFUSE code ({@code FrameCodec.REFUSED_*}). */
    public int code() {
        return code;
    }

    /** The REFUSE frame to send before closing; null when the peer refused. */
    public byte[] reply() {
        return reply;
    }
}
