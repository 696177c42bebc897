package io.gencluster.dist.kit;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A reader that a mailbox's thread helps while it polls for its next message (see {@link
 * Mailboxes}): it reads what is ready and offers it as the reading thread would, so that a message
 * for that very mailbox is delivered on its own thread without a hand-off between threads.
 *
 * @since 1.4
 */
@ConsumerType
public interface ReaderAssist {

    /** A reader that no mailbox's thread helps. */
    ReaderAssist NONE = new ReaderAssist() {
        @Override
        public boolean turn() {
            return false;
        }

        @Override
        public void done() {
        }
    };

    /**
     * Called over and over by a mailbox's thread while it polls: reads what is ready now, if the
     * reader lets this thread read at the moment, without waiting.
     *
     * @return whether anything was ready (when not, the thread yields its core before it polls again)
     */
    boolean turn();

    /** The mailbox's thread stops polling, with no message for it: it sleeps until one comes. */
    void done();
}
