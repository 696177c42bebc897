package io.gencluster.erlang;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A map; keys keep the order they were given or read in, equality ignores it (as Erlang's). */
public record ErlMap(Map<Term, Term> entries) implements Term {

    public ErlMap {
        Map<Term, Term> copy = new LinkedHashMap<>(entries);
        copy.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new NullPointerException("map key or value");
            }
        });
        entries = Collections.unmodifiableMap(copy);
    }

    public static ErlMap of(Map<? extends Term, ? extends Term> entries) {
        return new ErlMap(new LinkedHashMap<>(entries));
    }

    public Term get(Term key) {
        return entries.get(key);
    }

    @Override
    public String toString() {
        return entries.entrySet().stream().map(e -> e.getKey() + " => " + e.getValue())
                .collect(Collectors.joining(",", "#{", "}"));
    }
}
