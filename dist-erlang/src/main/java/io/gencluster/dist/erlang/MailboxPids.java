package io.gencluster.dist.erlang;

import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlPid;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The pids of this node's mailboxes: one per mailbox name, handed out on first use and stable
 * while the transport runs, so Erlang code can reply to a Java mailbox as to any process. Id 0 is
 * the pid of no mailbox ({@code Messenger.send}); messages to it are dropped.
 */
final class MailboxPids {

    /** Pids handed out at most; a bound on what a buggy caller can make this node remember. */
    private static final int MAX = 1 << 16;

    private final ErlAtom node;
    private final LongSupplier creation;
    private final Map<String, Long> ids = new ConcurrentHashMap<>();
    private final Map<Long, String> names = new ConcurrentHashMap<>();

    MailboxPids(ErlAtom node, LongSupplier creation) {
        this.node = node;
        this.creation = creation;
    }

    ErlPid pid(String name) {
        Long id = ids.get(name);
        if (id == null) {
            synchronized (this) {
                id = ids.get(name);
                if (id == null) {
                    if (ids.size() >= MAX) {
                        throw new IllegalStateException(MAX + " mailbox pids handed out already");
                    }
                    id = (long) ids.size() + 1;
                    names.put(id, name);
                    ids.put(name, id);
                }
            }
        }
        return new ErlPid(node, id, 0, creation.getAsLong());
    }

    /** The pid of no mailbox. */
    ErlPid none() {
        return new ErlPid(node, 0, 0, creation.getAsLong());
    }

    /** The mailbox a pid of this node stands for, or null. */
    String mailbox(ErlPid pid) {
        return pid.node().equals(node) ? names.get(pid.id()) : null;
    }
}
