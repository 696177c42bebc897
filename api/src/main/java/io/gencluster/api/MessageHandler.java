package io.gencluster.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the messages sent to one mailbox of this node. Register as an OSGi service with the
 * property {@value #MAILBOX_PROPERTY} naming the mailbox (whiteboard).
 *
 * <p>By default each mailbox has a thread of its own and a bounded queue: messages arrive in order
 * per sending node, a slow handler delays only its own mailbox (never heartbeats or other
 * mailboxes), and messages beyond the queue's bound are dropped and logged (delivery is at most
 * once). A handler that returns at once and never blocks may ask for {@linkplain #DELIVERY_INLINE
 * inline} delivery instead ({@value #DELIVERY_PROPERTY}): no queue and no thread hand-off, the
 * shortest way from the wire to the handler.
 */
@ConsumerType
public interface MessageHandler {

    /** Service property naming the mailbox of a {@code MessageHandler} service. */
    String MAILBOX_PROPERTY = "gencluster.mailbox";

    /**
     * Service property choosing how the mailbox's messages reach the handler: {@value
     * #DELIVERY_THREAD} (the default) or {@value #DELIVERY_INLINE}.
     *
     * @since 2.2
     */
    String DELIVERY_PROPERTY = "gencluster.mailbox.delivery";

    /**
     * Through a queue, on the mailbox's own thread: a handler may take its time and may block.
     *
     * @since 2.2
     */
    String DELIVERY_THREAD = "thread";

    /**
     * On the transport's reading thread, as each message is read: no queue, no hand-off. While the
     * handler runs, that thread reads nothing else — other mailboxes and, on dist-tcp, every
     * connection and its heartbeats wait — so the handler must return at once and never block (no
     * waiting for locks, I/O or room in a send queue: on dist-tcp a send from it never waits, it
     * fails at once when the queue is full). It may be called from several threads (dist-erlang
     * reads each connection on a thread of its own). Calls that take long are logged.
     *
     * @since 2.2
     */
    String DELIVERY_INLINE = "inline";

    /** One message from {@code from}; the array is the handler's to keep. */
    void message(NodeName from, byte[] payload);
}
