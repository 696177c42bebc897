package io.gencluster.dist.kit;

import io.gencluster.api.ClusterListener;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.spi.Dist;
import java.io.IOException;

/**
 * A transport of this project as its node sees it: a name, the cluster listeners it tells through
 * its {@link NodeEvents}, and the mailboxes its {@link Mailboxes} hand received messages to. Both
 * transports have these alike, so they live here once; a transport adds the network — listening,
 * dialling, sending, closing — and is usable as plain Java: {@link #start()}, then
 * {@link #close()}. Under OSGi its component runs it through a {@link TransportRunner}.
 *
 * <p>Listeners and mailboxes may be added and removed from any thread, before or after start.
 */
public abstract class Transport implements Dist, Messenger, AutoCloseable {

    private final NodeName self;
    private final NodeEvents events;
    private final Mailboxes mailboxes;

    /**
     * @param events the transport's event thread; the transport closes it
     * @param mailboxes the transport's mailboxes; the transport closes them
     */
    protected Transport(NodeName self, NodeEvents events, Mailboxes mailboxes) {
        this.self = self;
        this.events = events;
        this.mailboxes = mailboxes;
    }

    /** Binds the listening socket and starts the threads. */
    public abstract void start() throws IOException;

    /** The port actually bound, once started (useful with port 0). */
    public abstract int port();

    /** Closes every connection (each node reported down with its reason) and stops every thread. */
    @Override
    public abstract void close();

    @Override
    public final NodeName self() {
        return self;
    }

    @Override
    public final void addListener(ClusterListener listener) {
        events.addListener(listener);
    }

    @Override
    public final void removeListener(ClusterListener listener) {
        events.removeListener(listener);
    }

    /** Delivers messages for {@code mailbox} to {@code handler} from now on. */
    public final void addMailbox(String mailbox, MessageHandler handler) {
        mailboxes.add(mailbox, handler);
    }

    /**
     * Delivers messages for {@code mailbox} to {@code handler} from now on, on the transport's
     * reading thread ({@link MessageHandler#DELIVERY_INLINE}): for a handler that never blocks.
     */
    public final void addInlineMailbox(String mailbox, MessageHandler handler) {
        mailboxes.addInline(mailbox, handler);
    }

    /** Stops delivering to {@code handler}, if it still serves {@code mailbox}. */
    public final void removeMailbox(String mailbox, MessageHandler handler) {
        mailboxes.remove(mailbox, handler);
    }

    /**
     * Bytes mailbox {@code mailbox} holds now, queued or being delivered: what its budget,
     * {@code mailbox.queue.bytes}, bounds. 0 when there is no such mailbox.
     */
    public final long mailboxBytes(String mailbox) {
        return mailboxes.queuedBytes(mailbox);
    }

    /** The most bytes mailbox {@code mailbox} has held at once since it was added. */
    public final long mailboxPeakBytes(String mailbox) {
        return mailboxes.peakBytes(mailbox);
    }

    /** Where the transport's parts emit cluster events and settle connect results. */
    protected final NodeEvents events() {
        return events;
    }

    /** Where the transport's readers hand received messages over. */
    protected final Mailboxes mailboxes() {
        return mailboxes;
    }
}
