package io.gencluster.erlang;

/** A float (IEEE 754 double, as Erlang's). */
public record ErlFloat(double value) implements Term {

    public static ErlFloat of(double value) {
        return new ErlFloat(value);
    }

    @Override
    public String toString() {
        return Double.toString(value);
    }
}
