package io.gencluster.membershiplog;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/**
 * Mailbox {@value InboxPrinter#MAILBOX} of this node, printed on standard output: what
 * {@code cluster:send NODE inbox TEXT} shows up as on the receiving node. A whiteboard
 * {@link MessageHandler}; the transport calls it on the mailbox's own thread. No configuration:
 * installing the bundle turns it on.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE,
        property = MessageHandler.MAILBOX_PROPERTY + "=" + InboxPrinter.MAILBOX)
public final class InboxPrinterComponent implements MessageHandler {

    private final InboxPrinter printer = new InboxPrinter(System.out, System::currentTimeMillis);

    @Override
    public void message(NodeName from, byte[] payload) {
        printer.message(from, payload);
    }
}
