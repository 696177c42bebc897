package io.gencluster.dist.tcp.wire;

import java.io.IOException;

/** The peer sent bytes that break the dist-tcp protocol. */
public final class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
