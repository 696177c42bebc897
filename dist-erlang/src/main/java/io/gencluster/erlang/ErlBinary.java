package io.gencluster.erlang;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A binary, or a bitstring when its last byte holds fewer than 8 bits ({@link #lastByteBits()}; the
 * unused low bits are zero, as Erlang sends them).
 */
public final class ErlBinary implements Term {

    private final byte[] bytes;
    private final int lastByteBits;

    private ErlBinary(byte[] bytes, int lastByteBits) {
        this.bytes = bytes;
        this.lastByteBits = lastByteBits;
    }

    /** A binary holding a copy of {@code bytes}. */
    public static ErlBinary of(byte[] bytes) {
        return new ErlBinary(bytes.clone(), 8);
    }

    /** A binary holding {@code text} as UTF-8 (how Elixir strings and Erlang {@code <<"..."/utf8>>} look). */
    public static ErlBinary of(String text) {
        return new ErlBinary(text.getBytes(StandardCharsets.UTF_8), 8);
    }

    /**
     * A bitstring: {@code bytes}, of whose last byte only the {@code lastByteBits} high bits count.
     *
     * @throws IllegalArgumentException when {@code lastByteBits} is not 1..8, or the bytes are empty
     *     and it is not 8
     */
    public static ErlBinary bits(byte[] bytes, int lastByteBits) {
        if (lastByteBits < 1 || lastByteBits > 8 || (bytes.length == 0 && lastByteBits != 8)) {
            throw new IllegalArgumentException("bitstring of " + bytes.length + " bytes cannot end in " + lastByteBits + " bits");
        }
        byte[] copy = bytes.clone();
        if (copy.length > 0) {
            copy[copy.length - 1] &= (byte) (0xff << (8 - lastByteBits)); // unused bits are zero, so equal bits are equal values
        }
        return new ErlBinary(copy, lastByteBits);
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Number of bytes. */
    public int size() {
        return bytes.length;
    }

    /** Bits used in the last byte: 8 for a binary. */
    public int lastByteBits() {
        return lastByteBits;
    }

    /** The bytes read as UTF-8. */
    public String utf8() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    byte[] raw() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErlBinary && ((ErlBinary) o).lastByteBits == lastByteBits && Arrays.equals(((ErlBinary) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + lastByteBits;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("<<");
        for (int i = 0; i < bytes.length; i++) {
            boolean partial = i == bytes.length - 1 && lastByteBits != 8;
            b.append(i == 0 ? "" : ",").append(partial ? (bytes[i] & 0xff) >>> (8 - lastByteBits) : bytes[i] & 0xff);
            if (partial) {
                b.append(':').append(lastByteBits); // as Erlang prints it: <<1:3>>
            }
        }
        return b.append(">>").toString();
    }
}
