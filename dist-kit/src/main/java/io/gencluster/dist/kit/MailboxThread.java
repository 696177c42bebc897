package io.gencluster.dist.kit;

/**
 * A mailbox's thread, and how it waits once its queue is empty: after a batch of a few messages
 * it polls for the next one for {@link Mailboxes#pollNanos} (yielding its core to any thread that
 * can run), and only then sleeps. A reply often comes within microseconds of a request, and waking
 * a sleeping thread costs more than that where idle cores halt (tens of microseconds on a virtual
 * machine). While it polls, a reader does not signal it: it sees the mailbox's count of puts
 * change.
 *
 * <p>A reader that lets it ({@link ReaderAssist}) the polling thread also helps: it reads what is
 * ready itself, so that its own next message needs no hand-off at all. It helps only after a batch
 * whose handler {@linkplain Mailboxes#sending sent a message} (an answer may come) and took at
 * most {@link #ASSIST_AFTER_AT_MOST_NANOS}; when it stops helping, it tells the reader at once.
 */
final class MailboxThread extends Thread {

    /**
     * The longest a batch may have taken its handler for the thread, polling after it, to help the
     * reader: a thread that reads its own message delivers it before the reader reads again, so a
     * handler that takes long would hold up every other mailbox's messages. A stream's receiver
     * sends nothing, and reading and handling go on in two threads at once (64 KiB messages between
     * two JVMs: a quarter fewer per second when one thread did both).
     */
    static final long ASSIST_AFTER_AT_MOST_NANOS = 100_000;

    private final Mailbox box;
    private final ReaderAssist reader;
    private final long pollNanos;
    private final long assistAfterAtMostNanos;
    // this thread only
    private boolean sent; // its handler sent a message since it last polled
    private boolean quick = true; // the batch delivered last took at most assistAfterAtMostNanos
    private boolean helping; // it helps the reader now

    MailboxThread(Mailbox box, String name, ReaderAssist reader, long pollNanos, long assistAfterAtMostNanos) {
        super(box, name);
        this.box = box;
        this.reader = reader;
        this.pollNanos = pollNanos;
        this.assistAfterAtMostNanos = assistAfterAtMostNanos;
        setDaemon(true);
    }

    /** The calling thread sends a message: if it is a mailbox's thread, an answer may come for it. */
    static void noteSend() {
        if (Thread.currentThread() instanceof MailboxThread t) {
            t.sent = true;
        }
    }

    /**
     * Polls, without the mailbox's lock, until a put after {@code seen}, the end of the window or
     * an interrupt; helping the reader meanwhile if the last batch's handler sent a message and was
     * quick. This thread only.
     */
    void poll(int seen) {
        boolean assist = quick && sent;
        sent = false;
        helping(assist);
        long end = System.nanoTime() + pollNanos;
        while (box.puts() == seen) {
            if (System.nanoTime() - end >= 0 || isInterrupted()) {
                return;
            }
            if (!assist || !reader.turn()) {
                Thread.yield(); // a thread that can run on this core runs; else poll again at once
            }
        }
    }

    /** A batch took its handler {@code nanos}: after a slow one, the reader goes on at once. This thread only. */
    void delivered(long nanos) {
        quick = nanos <= assistAfterAtMostNanos;
        if (!quick) {
            helping(false); // the reader may have waited on this thread meanwhile
        }
    }

    /** The thread sleeps until signalled, or ends: it helps no more. This thread only. */
    void stopsHelping() {
        helping(false);
    }

    private void helping(boolean from) {
        if (helping && !from) {
            reader.done();
        }
        helping = from;
    }
}
