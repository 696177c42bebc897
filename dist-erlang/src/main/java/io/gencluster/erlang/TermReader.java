package io.gencluster.erlang;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads encoded terms one after another from a slice of bytes (a distribution frame holds a
 * control term followed by a message term). Tags and bounds: {@link TermCodec}. Not thread-safe.
 */
public final class TermReader {

    private final byte[] b;
    private final int end;
    private int pos;
    /** Terms still allowed in this reader ({@link TermCodec#MAX_TERMS} in all), so no count read off the wire allocates much. */
    private long termsLeft = TermCodec.MAX_TERMS;

    public TermReader(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset > bytes.length - length) {
            throw new IndexOutOfBoundsException("slice " + offset + "+" + length + " of " + bytes.length + " bytes");
        }
        this.b = bytes;
        this.pos = offset;
        this.end = offset + length;
    }

    /** Where the next byte is read. */
    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    /** Reads the version byte, then one term. */
    public Term readVersioned() throws TermFormatException {
        int at = pos;
        int v = u8();
        if (v != TermCodec.VERSION) {
            throw fail("version byte " + v + " at offset " + at + ", expected " + TermCodec.VERSION, false);
        }
        return read(0);
    }

    private Term read(int depth) throws TermFormatException {
        if (depth > TermCodec.MAX_DEPTH) {
            throw fail("term nested deeper than " + TermCodec.MAX_DEPTH + " levels at offset " + pos, false);
        }
        if (--termsLeft < 0) {
            throw fail("more than " + TermCodec.MAX_TERMS + " terms at offset " + pos, false);
        }
        int at = pos;
        int tag = u8();
        switch (tag) {
            case TermCodec.SMALL_INTEGER:
                return ErlInteger.of(u8());
            case TermCodec.INTEGER:
                return ErlInteger.of((int) u32());
            case TermCodec.SMALL_BIG:
                return big(u8());
            case TermCodec.LARGE_BIG:
                return big(u32());
            case TermCodec.NEW_FLOAT:
                need(8);
                return ErlFloat.of(Double.longBitsToDouble((u32() << 32) | u32()));
            case TermCodec.FLOAT:
                return oldFloat();
            case TermCodec.SMALL_ATOM_UTF8:
                return atom(u8(), true);
            case TermCodec.ATOM_UTF8:
                return atom(u16(), true);
            case TermCodec.SMALL_ATOM:
                return atom(u8(), false);
            case TermCodec.ATOM:
                return atom(u16(), false);
            case TermCodec.SMALL_TUPLE:
                return tuple(u8(), depth);
            case TermCodec.LARGE_TUPLE:
                return tuple(u32(), depth);
            case TermCodec.NIL:
                return ErlList.NIL;
            case TermCodec.STRING:
                return string(u16());
            case TermCodec.LIST:
                return list(u32(), depth);
            case TermCodec.MAP:
                return map(u32(), depth);
            case TermCodec.BINARY:
                return ErlBinary.of(bytes(u32()));
            case TermCodec.BIT_BINARY:
                return bitBinary();
            case TermCodec.NEW_PID:
                return new ErlPid(nodeAtom(), u32(), u32(), u32());
            case TermCodec.PID:
                return new ErlPid(nodeAtom(), u32(), u32(), u8());
            case TermCodec.NEWER_REFERENCE:
                return reference(true);
            case TermCodec.NEW_REFERENCE:
                return reference(false);
            case TermCodec.REFERENCE:
            {
                ErlAtom node = nodeAtom();
                int id = (int) u32();
                return new ErlRef(node, u8(), new int[] {id});
            }
            case TermCodec.NEW_PORT:
                return new ErlPort(nodeAtom(), u32(), u32());
            case TermCodec.V4_PORT: {
                ErlAtom node = nodeAtom();
                need(8);
                long id = (u32() << 32) | u32();
                return new ErlPort(node, id, u32());
            }
            case TermCodec.PORT:
                return new ErlPort(nodeAtom(), u32(), u8());
            case TermCodec.COMPRESSED:
                throw fail("compressed term at offset " + at + " (not supported)", true);
            case TermCodec.NEW_FUN:
            case TermCodec.FUN:
            case TermCodec.EXPORT:
                throw fail("fun at offset " + at + " (tag " + tag + ", not supported)", true);
            default:
                throw fail("unknown tag " + tag + " at offset " + at, false);
        }
    }

    private Term big(long n) throws TermFormatException {
        if (n > TermCodec.MAX_BIG_BYTES) {
            throw fail("bignum of " + n + " bytes at offset " + pos + ": at most " + TermCodec.MAX_BIG_BYTES, false);
        }
        int sign = u8();
        if (sign > 1) {
            throw fail("bignum sign " + sign + " at offset " + (pos - 1), false);
        }
        byte[] le = bytes(n);
        byte[] be = new byte[le.length + 1]; // leading zero: a positive magnitude
        for (int i = 0; i < le.length; i++) {
            be[be.length - 1 - i] = le[i];
        }
        BigInteger v = new BigInteger(be);
        return new ErlInteger(sign == 1 ? v.negate() : v);
    }

    private Term oldFloat() throws TermFormatException {
        int at = pos;
        byte[] text = bytes(31);
        int len = 0;
        while (len < text.length && text[len] != 0) {
            len++;
        }
        try {
            return ErlFloat.of(Double.parseDouble(new String(text, 0, len, StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            throw fail("FLOAT_EXT at offset " + at + " is not a number", false);
        }
    }

    private ErlAtom atom(int len, boolean utf8) throws TermFormatException {
        int at = pos;
        byte[] raw = bytes(len);
        String name;
        if (utf8) {
            try {
                name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                throw fail("atom at offset " + at + " is not valid UTF-8", false);
            }
        } else {
            name = new String(raw, StandardCharsets.ISO_8859_1);
        }
        if (name.codePointCount(0, name.length()) > ErlAtom.MAX_LENGTH) {
            throw fail("atom at offset " + at + " longer than " + ErlAtom.MAX_LENGTH + " characters", false);
        }
        return new ErlAtom(name);
    }

    private ErlAtom nodeAtom() throws TermFormatException {
        int at = pos;
        Term t = read(TermCodec.MAX_DEPTH); // an atom: never nests
        if (!(t instanceof ErlAtom a)) {
            throw fail("node of a pid, port or reference at offset " + at + " is not an atom", false);
        }
        return a;
    }

    private Term tuple(long arity, int depth) throws TermFormatException {
        count(arity, 1, "tuple");
        List<Term> es = new ArrayList<>(capacity(arity));
        for (long i = 0; i < arity; i++) {
            es.add(read(depth + 1));
        }
        return new ErlTuple(es);
    }

    private Term list(long n, int depth) throws TermFormatException {
        count(n, 1, "list");
        List<Term> es = new ArrayList<>(capacity(n));
        for (long i = 0; i < n; i++) {
            es.add(read(depth + 1));
        }
        Term tail = read(depth + 1);
        if (n == 0) {
            throw fail("list of 0 elements at offset " + pos + " (the empty list is NIL)", false);
        }
        return new ErlList(es, tail instanceof ErlList l && l.elements().isEmpty() ? null : tail);
    }

    private Term string(int n) throws TermFormatException {
        count(n, 1, "string");
        byte[] chars = bytes(n);
        termsLeft -= n;
        List<Term> es = new ArrayList<>(n);
        for (byte c : chars) {
            es.add(ErlInteger.of(c & 0xff));
        }
        return new ErlList(es, null);
    }

    private Term map(long n, int depth) throws TermFormatException {
        count(n, 2, "map");
        Map<Term, Term> m = new LinkedHashMap<>();
        for (long i = 0; i < n; i++) {
            int at = pos;
            Term k = read(depth + 1);
            if (m.put(k, read(depth + 1)) != null) {
                throw fail("map key " + k + " repeated at offset " + at, false);
            }
        }
        return new ErlMap(m);
    }

    private Term bitBinary() throws TermFormatException {
        long len = u32();
        int bits = u8();
        if (bits < 1 || bits > 8 || (len == 0 && bits != 8)) {
            throw fail("bitstring of " + len + " bytes ending in " + bits + " bits at offset " + (pos - 1), false);
        }
        return ErlBinary.bits(bytes(len), bits);
    }

    private Term reference(boolean bigCreation) throws TermFormatException {
        int at = pos;
        int n = u16();
        if (n < 1 || n > ErlRef.MAX_WORDS) {
            throw fail("reference of " + n + " words at offset " + at + ": 1-" + ErlRef.MAX_WORDS, false);
        }
        ErlAtom node = nodeAtom();
        long creation = bigCreation ? u32() : u8();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (int) u32();
        }
        return new ErlRef(node, creation, ids);
    }

    /**
     * A count read off the wire, checked before anything is allocated for it: at most the terms
     * still allowed ({@link TermCodec#MAX_TERMS} per reader), and, each of the {@code n} items
     * taking at least {@code minBytes} (and as many terms), no more than the bytes left can hold.
     */
    private void count(long n, int minBytes, String what) throws TermFormatException {
        if (n * minBytes > termsLeft) { // as many terms as bytes at least: a map's n pairs are 2n terms
            throw fail(what + " of " + n + " elements at offset " + pos + ": at most " + TermCodec.MAX_TERMS + " terms are read", false);
        }
        if (n > remaining() / minBytes) {
            throw fail(what + " of " + n + " elements at offset " + pos + " but only " + remaining() + " bytes left", false);
        }
    }

    /** Room reserved up front for {@code n} elements: never more than a small bound, the list grows as elements are read. */
    private static int capacity(long n) {
        return (int) Math.min(n, 1024);
    }

    private void need(long n) throws TermFormatException {
        if (n > remaining()) {
            throw fail("term truncated at offset " + pos + ": " + n + " bytes needed, " + remaining() + " left", false);
        }
    }

    private int u8() throws TermFormatException {
        need(1);
        return b[pos++] & 0xff;
    }

    private int u16() throws TermFormatException {
        need(2);
        int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    private long u32() throws TermFormatException {
        need(4);
        long v = ((b[pos] & 0xffL) << 24) | ((b[pos + 1] & 0xffL) << 16) | ((b[pos + 2] & 0xffL) << 8) | (b[pos + 3] & 0xffL);
        pos += 4;
        return v;
    }

    private byte[] bytes(long n) throws TermFormatException {
        need(n);
        byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
        pos += (int) n;
        return out;
    }

    private static TermFormatException fail(String message, boolean unsupported) {
        return new TermFormatException(message, unsupported);
    }
}
