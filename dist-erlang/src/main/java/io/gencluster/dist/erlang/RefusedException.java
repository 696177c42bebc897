package io.gencluster.dist.erlang;

import java.io.IOException;

/**
 * A handshake refused for a reason an operator must hear of (wrong cookie, name form, flags,
 * malformed messages): {@link #cause} is a short fixed text naming the kind of refusal, which
 * refusals are counted by; the message says more, peer-supplied parts of it escaped.
 */
final class RefusedException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The kind of refusal, a fixed text (never peer-supplied), e.g. {@code "wrong cookie"}. */
    final String cause;

    RefusedException(String cause, String message) {
        super(message);
        this.cause = cause;
    }
}
