package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

/** The threads of mailboxes, as the tests of this package look at them. */
final class MailboxThreads {

    private MailboxThreads() {
    }

    /** The live thread named {@code name}. */
    static Thread named(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
    }

    /** Waits until {@code t} sleeps for a signal (its polling window is over), failing after {@code timeoutMs}. */
    static void awaitSleeping(Thread t, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (t.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < end, "the mailbox's thread never went to sleep: " + t.getState());
            Thread.sleep(1);
        }
    }
}
