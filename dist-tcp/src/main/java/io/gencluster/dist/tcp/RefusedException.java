package io.gencluster.dist.tcp;

import java.io.IOException;

/** The handshake ended in a refusal, by either side; {@link #code} says why. */
final class RefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    final int code;

    RefusedException(int code, String message) {
        super(message);
        this.code = code;
    }
}
