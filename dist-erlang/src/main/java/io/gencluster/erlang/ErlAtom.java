package io.gencluster.erlang;

import java.util.Objects;

/** An atom: at most 255 characters, as in Erlang. */
public record ErlAtom(String name) implements Term {

    /** Longest atom, in characters (code points). */
    public static final int MAX_LENGTH = 255;

    public static final ErlAtom TRUE = new ErlAtom("true");
    public static final ErlAtom FALSE = new ErlAtom("false");
    public static final ErlAtom EMPTY = new ErlAtom("");

    /** @throws IllegalArgumentException when the name is longer than {@value #MAX_LENGTH} characters */
    public ErlAtom {
        Objects.requireNonNull(name, "atom name");
        if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
            throw new IllegalArgumentException("atom of " + name.codePointCount(0, name.length())
                    + " characters: at most " + MAX_LENGTH);
        }
    }

    public static ErlAtom of(String name) {
        return new ErlAtom(name);
    }

    @Override
    public String toString() {
        return name.matches("[a-z][A-Za-z0-9_@]*") ? name : "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
