package io.gencluster.epmd;

import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/** An EPMD request failed, or its reply could not be read; the message names the host and what was wrong. */
@ProviderType
public class EpmdException extends IOException {

    private static final long serialVersionUID = 1L;

    public EpmdException(String message) {
        super(message);
    }

    public EpmdException(String message, Throwable cause) {
        super(message, cause);
    }
}
