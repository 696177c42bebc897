package io.gencluster.epmd;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Nothing answers on a host's port mapper port: the connection was refused, or did not connect
 * within the timeout. Apart from other {@link EpmdException}s because callers act on it: a node
 * then serves an embedded port mapper itself, or dials a peer at the shared port instead.
 */
@ProviderType
public final class NoEpmdException extends EpmdException {

    private static final long serialVersionUID = 1L;

    public NoEpmdException(String message, Throwable cause) {
        super(message, cause);
    }
}
