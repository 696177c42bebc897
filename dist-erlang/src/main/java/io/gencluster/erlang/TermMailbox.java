package io.gencluster.erlang;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;

/**
 * A {@link MessageHandler} for messages from Erlang: decodes each payload and hands over the
 * term. A payload that is not a term this package reads is logged and skipped.
 */
public abstract class TermMailbox implements MessageHandler {

    private static final System.Logger LOG = System.getLogger(TermMailbox.class.getName());

    /** One message from {@code from}. Runs on the mailbox's own thread. */
    protected abstract void message(NodeName from, Term message);

    @Override
    public final void message(NodeName from, byte[] payload) {
        Term term;
        try {
            term = TermCodec.decode(payload);
        } catch (TermFormatException e) {
            LOG.log(Level.WARNING, "message from {0} skipped: {1}", from, e.getMessage());
            return;
        }
        message(from, term);
    }
}
