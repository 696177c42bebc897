package io.gencluster.erlang;

import java.util.List;
import java.util.stream.Collectors;

/** A tuple. */
public record ErlTuple(List<Term> elements) implements Term {

    public ErlTuple {
        elements = List.copyOf(elements);
    }

    public static ErlTuple of(Term... elements) {
        return new ErlTuple(List.of(elements));
    }

    public int arity() {
        return elements.size();
    }

    public Term get(int index) {
        return elements.get(index);
    }

    @Override
    public String toString() {
        return elements.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }
}
