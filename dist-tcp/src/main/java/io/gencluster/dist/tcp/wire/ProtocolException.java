package io.gencluster.dist.tcp.wire;

import java.io.IOException;

/**
 * The peer sent bytes that break the dist-tcp protocol. {@link #kind} names the breach in a short
 * fixed text (no peer-supplied or varying part), under which refusals are counted and summarised.
 */
public final class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String kind;

    public ProtocolException(String message) {
        this(message, "protocol error");
    }

    public ProtocolException(String message, String kind) {
        super(message);
        this.kind = kind;
    }

    /** The breach in a short fixed text, e.g. "frame length out of range". */
    public String kind() {
        return kind;
    }
}
