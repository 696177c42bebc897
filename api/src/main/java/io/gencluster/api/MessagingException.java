package io.gencluster.api;

/** A message could not be queued: the node is not connected, the send queue stayed full, or it is too large. */
public class MessagingException extends Exception {

    private static final long serialVersionUID = 1L;

    public MessagingException(String message) {
        super(message);
    }
}
