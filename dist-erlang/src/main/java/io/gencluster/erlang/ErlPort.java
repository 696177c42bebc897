package io.gencluster.erlang;

import java.util.Objects;

/** A port identifier (a 64-bit id since OTP 24's V4_PORT_EXT). */
public record ErlPort(ErlAtom node, long id, long creation) implements Term {

    public ErlPort {
        Objects.requireNonNull(node, "node");
        ErlPid.checkU32("creation", creation);
    }

    @Override
    public String toString() {
        return "#Port<" + node.name() + "." + Long.toUnsignedString(id) + ">";
    }
}
