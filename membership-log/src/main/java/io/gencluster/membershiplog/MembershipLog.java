package io.gencluster.membershiplog;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.NodeName;
import java.io.PrintStream;
import java.util.Set;
import java.util.TreeSet;

/**
 * This node's membership, kept from node up/down events and printed as one line whenever it
 * changes:
 *
 * <pre>
 * members of n1@127.0.0.1: n2@127.0.0.1, n3@127.0.0.1
 * members of n1@127.0.0.1: (none)
 * cluster of n1@127.0.0.1 stopped
 * </pre>
 *
 * The line is meant for operators watching a console and for scripts (one line per change, a fixed
 * prefix, members sorted). Thread-safe; printing happens under the lock, so lines never interleave
 * and always appear in the order of the changes.
 */
public final class MembershipLog {

    private final NodeName self;
    private final PrintStream out;
    private final Set<NodeName> members = new TreeSet<>();

    public MembershipLog(NodeName self, PrintStream out) {
        this.self = self;
        this.out = out;
    }

    /** Takes the membership as it is now (at start), and prints it once. */
    public synchronized void start(Set<NodeName> current) {
        members.clear();
        members.addAll(current);
        members.remove(self);
        print();
    }

    /** Applies one event; prints when it changed the membership. */
    public synchronized void event(ClusterEvent event) {
        boolean changed = event.type() == ClusterEvent.Type.NODE_UP
                ? !event.node().equals(self) && members.add(event.node())
                : members.remove(event.node());
        if (changed) {
            print();
        }
    }

    /**
     * Says the cluster stopped on this node (its configuration deleted, or the node shutting
     * down). Printed, not logged: java.util.logging closes its handlers in a shutdown hook of
     * its own, so a log record written while the JVM stops may never appear.
     */
    public synchronized void stopped() {
        members.clear();
        out.println("cluster of " + self + " stopped");
        out.flush();
    }

    /** The line for the current membership. */
    public synchronized String line() {
        StringBuilder b = new StringBuilder("members of ").append(self).append(": ");
        if (members.isEmpty()) {
            return b.append("(none)").toString();
        }
        String sep = "";
        for (NodeName n : members) {
            b.append(sep).append(n);
            sep = ", ";
        }
        return b.toString();
    }

    private void print() {
        out.println(line());
        out.flush();
    }
}
