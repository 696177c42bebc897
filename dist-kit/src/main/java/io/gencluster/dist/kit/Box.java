package io.gencluster.dist.kit;

import io.gencluster.api.MessageHandler;
import io.gencluster.api.NodeName;

/**
 * A mailbox as {@link Mailboxes} holds it, whichever way it delivers: queued, on a thread of its
 * own ({@link Mailbox}), or inline, on the reading thread ({@link InlineMailbox}). One name maps
 * to one box, so a mailbox delivers one way at a time.
 */
sealed interface Box permits Mailbox, InlineMailbox {

    MessageHandler handler();

    /**
     * Takes what there is room for of {@code batch[start..end)}, in order; returns how many.
     * {@code wake}: see {@link Mailboxes#offer}.
     */
    int put(NodeName from, byte[][] batch, int start, int end, boolean wake);

    /** Takes one message, waiting up to {@code waitNanos} for room; false when there was none. */
    boolean put(NodeName from, byte[] payload, long waitNanos) throws InterruptedException;

    /** Bytes counted against the byte budget now. */
    long bytes();

    /** The most bytes counted at once. */
    long peakBytes();

    /** Delivers what it holds, then stops. */
    void finish();

    /** Stops at once, dropping what it holds; returns its thread, for the caller to join, or null. */
    Thread stop();
}
