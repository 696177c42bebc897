package io.gencluster.dist.erlang;

import java.io.IOException;

/** Both nodes dialled each other at once and this attempt is the one given up (status {@code nok}): not an error. */
final class SimultaneousConnectException extends IOException {

    private static final long serialVersionUID = 1L;

    SimultaneousConnectException(String message) {
        super(message);
    }
}
