package io.gencluster.erlang;

import java.util.Arrays;
import java.util.Objects;

/** A reference: its node, the node's creation and one to five 32-bit words. */
public final class ErlRef implements Term {

    /** Most words a reference has (OTP 24+ sends up to five). */
    public static final int MAX_WORDS = 5;

    private final ErlAtom node;
    private final long creation;
    private final int[] ids;

    public ErlRef(ErlAtom node, long creation, int[] ids) {
        this.node = Objects.requireNonNull(node, "node");
        ErlPid.checkU32("creation", creation);
        if (ids.length < 1 || ids.length > MAX_WORDS) {
            throw new IllegalArgumentException("a reference has 1-" + MAX_WORDS + " words, not " + ids.length);
        }
        this.creation = creation;
        this.ids = ids.clone();
    }

    public ErlAtom node() {
        return node;
    }

    public long creation() {
        return creation;
    }

    /** A copy of the words. */
    public int[] ids() {
        return ids.clone();
    }

    int[] rawIds() {
        return ids;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErlRef r && r.node.equals(node) && r.creation == creation && Arrays.equals(r.ids, ids);
    }

    @Override
    public int hashCode() {
        return (node.hashCode() * 31 + Long.hashCode(creation)) * 31 + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("#Ref<").append(node.name());
        for (int i = ids.length - 1; i >= 0; i--) {
            b.append('.').append(Integer.toUnsignedString(ids[i]));
        }
        return b.append('>').toString();
    }
}
