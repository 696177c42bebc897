package io.gencluster.erlang;

import java.io.IOException;

/** Bytes that are not a term the codec reads: truncated, malformed, over a bound, or of an unsupported kind. */
public class TermFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final boolean unsupported;

    public TermFormatException(String message) {
        this(message, false);
    }

    TermFormatException(String message, boolean unsupported) {
        super(message);
        this.unsupported = unsupported;
    }

    /** True when the bytes may be a valid term of a kind this codec does not read (a fun, a compressed term). */
    public boolean isUnsupported() {
        return unsupported;
    }
}
