package io.gencluster.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the messages sent to one mailbox of this node. Register as an OSGi service with the
 * property {@value #MAILBOX_PROPERTY} naming the mailbox (whiteboard).
 *
 * <p>Each mailbox has a thread of its own and a bounded queue: messages arrive in order per sending
 * node, a slow handler delays only its own mailbox (never heartbeats or other mailboxes), and
 * messages beyond the queue's bound are dropped and logged (delivery is at most once).
 */
@ConsumerType
public interface MessageHandler {

    /** Service property naming the mailbox of a {@code MessageHandler} service. */
    String MAILBOX_PROPERTY = "gencluster.mailbox";

    /** One message from {@code from}; the array is the handler's to keep. */
    void message(NodeName from, byte[] payload);
}
