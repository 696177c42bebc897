package io.gencluster.dist.kit;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A reader that a mailbox's thread helps while it polls for its next message, after its handler
 * {@linkplain Mailboxes#sending sent one} (see {@link Mailboxes}): it reads what is ready and offers
 * it as the reading thread would, so that a message for that very mailbox, an answer perhaps, is
 * delivered on its own thread without a hand-off between threads.
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

    /**
     * The mailbox's thread stops helping: it goes to sleep, polls without helping, or its handler
     * took long over a batch. The reader must not wait on it any longer.
     */
    void done();
}
