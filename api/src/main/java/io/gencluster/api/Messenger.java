package io.gencluster.api;

import java.time.Duration;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sends byte payloads to named mailboxes on connected nodes. Offered by transports that carry
 * messages (dist-tcp registers its {@link Dist} service under this interface too).
 *
 * <p>Per pair of nodes, messages arrive in the order they were sent; delivery is at most once, as
 * in Erlang: a message in flight when a connection drops is lost. Payloads are bytes: transports
 * never deserialize objects. Thread-safe.
 */
@ConsumerType
public interface Messenger {

    /**
     * Queues {@code payload} for mailbox {@code mailbox} on {@code node}.
     *
     * <p>Fails at once when the node is not connected. When the connection's send queue is full,
     * waits up to {@code maxWait} for room (backpressure), then fails; it never queues without
     * bound. Returning normally means queued, not delivered.
     *
     * @throws MessagingException saying why the message was not queued
     */
    void send(NodeName node, String mailbox, byte[] payload, Duration maxWait) throws MessagingException;
}
