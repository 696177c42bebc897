package io.gencluster.dist.tcp;

import java.io.IOException;

/**
 * The handshake ended in a refusal, by either side; {@link #code} says why. When this side refuses,
 * {@link #reply} is the REFUSE frame to send before closing; null when the peer refused.
 */
final class RefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    final int code;
    final transient byte[] reply;

    RefusedException(int code, String message) {
        this(code, message, null);
    }

    RefusedException(int code, String message, byte[] reply) {
        super(message);
        this.code = code;
        this.reply = reply;
    }
}
