package io.gencluster.dist.kit;

import io.gencluster.api.MessageHandler;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * The whiteboard of message handlers: every {@link MessageHandler} service with a
 * {@value MessageHandler#MAILBOX_PROPERTY} property receives that mailbox's messages, on whichever
 * transport runs now. Handlers registered while no transport runs are given to the next one that
 * starts; a handler registered later joins the running transport at once, and one unregistered
 * leaves it. When two handlers claim one mailbox, the one that came later has it.
 */
final class MailboxWhiteboard implements ServiceTrackerCustomizer<MessageHandler, MessageHandler> {

    private static final System.Logger LOG = System.getLogger(MailboxWhiteboard.class.getName());

    private record Mailbox(String name, MessageHandler handler, boolean inline) {
    }

    private final BundleContext context;
    private final ServiceTracker<MessageHandler, MessageHandler> tracker;
    /** The handlers that name a mailbox, by service, in the order they came. */
    private final Map<ServiceReference<MessageHandler>, Mailbox> mailboxes = new LinkedHashMap<>();
    private TransportService transport;

    /** A whiteboard of the services {@code context} sees, once {@link #open}. */
    MailboxWhiteboard(BundleContext context) {
        this.context = context;
        this.tracker = new ServiceTracker<>(context, MessageHandler.class, this);
    }

    void open() {
        tracker.open();
    }

    @Override
    public synchronized MessageHandler addingService(ServiceReference<MessageHandler> reference) {
        MessageHandler handler = context.getService(reference);
        if (handler == null) {
            return null; // unregistered meanwhile
        }
        Object name = reference.getProperty(MessageHandler.MAILBOX_PROPERTY);
        if (name == null || name.toString().isEmpty()) {
            LOG.log(Level.WARNING, "MessageHandler {0} has no {1} property; it receives nothing", handler, MessageHandler.MAILBOX_PROPERTY);
            return handler;
        }
        Mailbox mailbox = new Mailbox(name.toString(), handler, inline(reference, name.toString()));
        mailboxes.put(reference, mailbox);
        if (transport != null) {
            transport.addMailbox(mailbox.name(), handler, mailbox.inline());
        }
        return handler;
    }

    /** Whether the handler asked for inline delivery; a value that is neither choice is logged and taken as thread. */
    private static boolean inline(ServiceReference<MessageHandler> reference, String name) {
        Object delivery = reference.getProperty(MessageHandler.DELIVERY_PROPERTY);
        if (delivery == null || MessageHandler.DELIVERY_THREAD.equals(delivery.toString())) {
            return false;
        }
        if (MessageHandler.DELIVERY_INLINE.equals(delivery.toString())) {
            return true;
        }
        LOG.log(Level.WARNING, "mailbox ''{0}'': {1} = ''{2}'' is neither ''{3}'' nor ''{4}''; delivering on the mailbox''s thread",
                name, MessageHandler.DELIVERY_PROPERTY, LogText.escape(delivery.toString()), MessageHandler.DELIVERY_THREAD,
                MessageHandler.DELIVERY_INLINE);
        return false;
    }

    @Override
    public void modifiedService(ServiceReference<MessageHandler> reference, MessageHandler handler) {
        // a handler keeps the mailbox it came with
    }

    @Override
    public synchronized void removedService(ServiceReference<MessageHandler> reference, MessageHandler handler) {
        Mailbox mailbox = mailboxes.remove(reference);
        if (mailbox != null && transport != null) {
            transport.removeMailbox(mailbox.name(), handler);
        }
        try {
            context.ungetService(reference);
        } catch (IllegalStateException bundleStopped) {
            // the framework releases what a stopped bundle held
        }
    }

    /** Gives every handler to {@code started}, and those that come later until {@link #detach}. */
    synchronized void attach(TransportService started) {
        transport = started;
        mailboxes.values().forEach(m -> started.addMailbox(m.name(), m.handler(), m.inline()));
    }

    /** Forgets the transport, which is closing with its mailboxes. */
    synchronized void detach() {
        transport = null;
    }

    /** Stops tracking and releases every handler. */
    void close() {
        tracker.close();
    }
}
