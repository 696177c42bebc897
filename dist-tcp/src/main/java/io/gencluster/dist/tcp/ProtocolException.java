package io.gencluster.dist.tcp;

import java.io.IOException;

/** The peer sent bytes that break the dist-tcp protocol. */
final class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }
}
