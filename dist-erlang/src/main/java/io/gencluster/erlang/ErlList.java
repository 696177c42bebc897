package io.gencluster.erlang;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A list: its elements and, for an improper list such as {@code [alias|Ref]}, the tail that is
 * not a list. {@link #NIL} is the empty list. A list tail given to the constructor is merged into
 * the elements, so each list has one form.
 */
public record ErlList(List<Term> elements, Term tail) implements Term {

    /** The empty list, {@code []}. */
    public static final ErlList NIL = new ErlList(List.of(), null);

    /** @param tail null for a proper list */
    public ErlList {
        List<Term> all = new ArrayList<>(elements);
        all.forEach(e -> Objects.requireNonNull(e, "list element"));
        while (tail instanceof ErlList more) {
            all.addAll(more.elements);
            tail = more.tail;
        }
        if (tail != null && all.isEmpty()) {
            throw new IllegalArgumentException("an improper list needs at least one element before its tail " + tail);
        }
        elements = List.copyOf(all);
    }

    public static ErlList of(Term... elements) {
        return new ErlList(List.of(elements), null);
    }

    public static ErlList of(List<? extends Term> elements) {
        return new ErlList(List.copyOf(elements), null);
    }

    /** {@code [e1, e2 | tail]}. */
    public static ErlList improper(List<? extends Term> elements, Term tail) {
        return new ErlList(List.copyOf(elements), Objects.requireNonNull(tail, "tail"));
    }

    /** Whether the list ends in {@code []}. */
    public boolean isProper() {
        return tail == null;
    }

    @Override
    public String toString() {
        String inner = elements.stream().map(String::valueOf).collect(Collectors.joining(","));
        return "[" + inner + (tail == null ? "" : "|" + tail) + "]";
    }
}
