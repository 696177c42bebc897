package io.gencluster.spi;

/**
 * A discovery source could not be asked, or its answer could not be understood. Distinct from an
 * empty answer: the runtime keeps the last peers it knew from that source and logs the message,
 * so the message should say what was asked and what went wrong (host, record, reply).
 */
public class DiscoveryException extends Exception {

    private static final long serialVersionUID = 1L;

    public DiscoveryException(String message) {
        super(message);
    }

    public DiscoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
