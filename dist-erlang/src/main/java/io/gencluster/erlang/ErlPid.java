package io.gencluster.erlang;

import java.util.Objects;

/** A process identifier: the node it lives on, its id and serial, and the node's creation. */
public record ErlPid(ErlAtom node, long id, long serial, long creation) implements Term {

    public ErlPid {
        Objects.requireNonNull(node, "node");
        checkU32("id", id);
        checkU32("serial", serial);
        checkU32("creation", creation);
    }

    static void checkU32(String what, long v) {
        if (v < 0 || v > 0xffffffffL) {
            throw new IllegalArgumentException(what + " " + v + " is not an unsigned 32-bit number");
        }
    }

    @Override
    public String toString() {
        return "<" + node.name() + "." + id + "." + serial + ">";
    }
}
