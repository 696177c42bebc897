package io.gencluster.dist.erlang;

import java.io.IOException;

/** A handshake refused for a reason an operator must hear of (wrong cookie, name form, flags, identity). */
final class RefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
        super(message);
    }
}
