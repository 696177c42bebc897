package io.gencluster.dist.erlang;

import java.io.IOException;

/** A peer broke the protocol after the handshake: its connection is closed with this reason. */
final class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }
}
