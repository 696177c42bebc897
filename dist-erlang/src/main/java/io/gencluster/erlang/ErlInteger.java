package io.gencluster.erlang;

import java.math.BigInteger;
import java.util.Objects;

/** An integer of any size (Erlang integers are unbounded; the codec bounds bignums it reads). */
public record ErlInteger(BigInteger value) implements Term {

    public ErlInteger {
        Objects.requireNonNull(value, "value");
    }

    public static ErlInteger of(long value) {
        return new ErlInteger(BigInteger.valueOf(value));
    }

    /** @throws ArithmeticException when the value does not fit in a long */
    public long longValue() {
        return value.longValueExact();
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
