package io.gencluster.erlang;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Erlang's external term format ({@code term_to_binary}/{@code binary_to_term}), for the terms of
 * this package. One place documents the tags:
 *
 * <pre>
 * 131            version, first byte of every encoded term
 * 97  SMALL_INTEGER  u8                       98  INTEGER  i32
 * 110 SMALL_BIG  n:u8 sign:u8 n bytes (little-endian magnitude)
 * 111 LARGE_BIG  n:u32 sign:u8 n bytes
 * 70  NEW_FLOAT  8 bytes IEEE 754             99  FLOAT    31 bytes of "%.20e" text (old; read only)
 * 119 SMALL_ATOM_UTF8 len:u8 utf8             118 ATOM_UTF8 len:u16 utf8
 * 115 SMALL_ATOM len:u8 latin1 (read only)    100 ATOM len:u16 latin1 (read only)
 * 104 SMALL_TUPLE arity:u8 elements           105 LARGE_TUPLE arity:u32 elements
 * 106 NIL                                     107 STRING len:u16 bytes (a list of small integers; read only)
 * 108 LIST  n:u32 n elements, tail            116 MAP  n:u32 n key/value pairs
 * 109 BINARY len:u32 bytes                    77  BIT_BINARY len:u32 bits:u8 bytes
 * 88  NEW_PID node id:u32 serial:u32 creation:u32        103 PID (creation:u8; read only)
 * 90  NEWER_REFERENCE n:u16 node creation:u32 n*u32      114 NEW_REFERENCE (creation:u8), 101 REFERENCE (read only)
 * 89  NEW_PORT node id:u32 creation:u32       120 V4_PORT node id:u64 creation:u32   102 PORT (read only)
 * </pre>
 *
 * Funs, exports ({@code fun m:f/a}) and compressed terms are refused as unsupported. Decoding is
 * bounded: every count is checked against the bytes left before anything is allocated, nesting
 * is limited to {@value #MAX_DEPTH} levels, the terms of one decoded term (elements of lists,
 * tuples and maps, each key and value, nested ones included) to {@value #MAX_TERMS}, and bignums
 * to {@value #MAX_BIG_BYTES} bytes, so that no count read off the wire (a map arity of 2^32-1)
 * allocates more than a bounded amount; any other
 * input fails with a {@link TermFormatException} naming the problem and its offset.
 */
public final class TermCodec {

    public static final int VERSION = 131;
    /** Deepest nesting read (Erlang allows more; a message this deep is an attack or a bug). */
    public static final int MAX_DEPTH = 512;
    /**
     * Most terms one decode reads, all levels together: a list of a million small integers is
     * read; a 16 MiB frame of 8 million tiny map entries, which would cost a gigabyte of heap, is not.
     */
    public static final int MAX_TERMS = 1 << 20;
    /** Largest bignum read, in bytes (2^8192, far beyond what messages carry). */
    public static final int MAX_BIG_BYTES = 1024;

    static final int SMALL_INTEGER = 97, INTEGER = 98, SMALL_BIG = 110, LARGE_BIG = 111, NEW_FLOAT = 70, FLOAT = 99,
            SMALL_ATOM_UTF8 = 119, ATOM_UTF8 = 118, SMALL_ATOM = 115, ATOM = 100, SMALL_TUPLE = 104, LARGE_TUPLE = 105,
            NIL = 106, STRING = 107, LIST = 108, MAP = 116, BINARY = 109, BIT_BINARY = 77, NEW_PID = 88, PID = 103,
            NEWER_REFERENCE = 90, NEW_REFERENCE = 114, REFERENCE = 101, NEW_PORT = 89, V4_PORT = 120, PORT = 102,
            COMPRESSED = 80, NEW_FUN = 112, EXPORT = 113, FUN = 117;

    private TermCodec() {
    }

    /** The bytes of {@code term}, version byte first. */
    public static byte[] encode(Term term) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(VERSION);
        write(out, term);
        return out.toByteArray();
    }

    /**
     * Reads one whole encoded term (version byte first, nothing after it).
     *
     * @throws TermFormatException naming the problem and where it is
     */
    public static Term decode(byte[] bytes) throws TermFormatException {
        return decode(bytes, 0, bytes.length);
    }

    /** Reads one encoded term filling {@code bytes[offset, offset + length)}. */
    public static Term decode(byte[] bytes, int offset, int length) throws TermFormatException {
        TermReader r = new TermReader(bytes, offset, length);
        Term t = r.readVersioned();
        if (r.remaining() != 0) {
            throw new TermFormatException(r.remaining() + " bytes after the term, at offset " + r.position());
        }
        return t;
    }

    static void write(ByteArrayOutputStream out, Term term) {
        if (term instanceof ErlAtom a) {
            writeAtom(out, a);
        } else if (term instanceof ErlInteger i) {
            writeInteger(out, i.value());
        } else if (term instanceof ErlFloat f) {
            out.write(NEW_FLOAT);
            long bits = Double.doubleToLongBits(f.value());
            writeU32(out, bits >>> 32);
            writeU32(out, bits);
        } else if (term instanceof ErlBinary b) {
            out.write(b.lastByteBits() == 8 ? BINARY : BIT_BINARY);
            writeU32(out, b.size());
            if (b.lastByteBits() != 8) {
                out.write(b.lastByteBits());
            }
            out.writeBytes(b.raw());
        } else if (term instanceof ErlList l) {
            if (l.elements().isEmpty()) {
                out.write(NIL);
                return;
            }
            out.write(LIST);
            writeU32(out, l.elements().size());
            l.elements().forEach(e -> write(out, e));
            write(out, l.tail() == null ? ErlList.NIL : l.tail());
        } else if (term instanceof ErlTuple t) {
            List<Term> es = t.elements();
            if (es.size() <= 255) {
                out.write(SMALL_TUPLE);
                out.write(es.size());
            } else {
                out.write(LARGE_TUPLE);
                writeU32(out, es.size());
            }
            es.forEach(e -> write(out, e));
        } else if (term instanceof ErlMap m) {
            out.write(MAP);
            writeU32(out, m.entries().size());
            for (Map.Entry<Term, Term> e : m.entries().entrySet()) {
                write(out, e.getKey());
                write(out, e.getValue());
            }
        } else if (term instanceof ErlPid p) {
            out.write(NEW_PID);
            writeAtom(out, p.node());
            writeU32(out, p.id());
            writeU32(out, p.serial());
            writeU32(out, p.creation());
        } else if (term instanceof ErlRef r) {
            out.write(NEWER_REFERENCE);
            int[] ids = r.rawIds();
            out.write(ids.length >>> 8);
            out.write(ids.length);
            writeAtom(out, r.node());
            writeU32(out, r.creation());
            for (int id : ids) {
                writeU32(out, id);
            }
        } else if (term instanceof ErlPort p) {
            boolean small = (p.id() >>> 32) == 0;
            out.write(small ? NEW_PORT : V4_PORT);
            writeAtom(out, p.node());
            if (!small) {
                writeU32(out, p.id() >>> 32);
            }
            writeU32(out, p.id());
            writeU32(out, p.creation());
        } else {
            throw new IllegalArgumentException("not a term: " + term);
        }
    }

    private static void writeAtom(ByteArrayOutputStream out, ErlAtom atom) {
        byte[] utf8 = atom.name().getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= 255) {
            out.write(SMALL_ATOM_UTF8);
            out.write(utf8.length);
        } else {
            out.write(ATOM_UTF8);
            out.write(utf8.length >>> 8);
            out.write(utf8.length);
        }
        out.writeBytes(utf8);
    }

    private static void writeInteger(ByteArrayOutputStream out, BigInteger v) {
        if (v.signum() >= 0 && v.bitLength() <= 8) {
            out.write(SMALL_INTEGER);
            out.write(v.intValue());
        } else if (v.bitLength() <= 31) {
            out.write(INTEGER);
            writeU32(out, v.intValue());
        } else {
            byte[] be = v.abs().toByteArray(); // big-endian, maybe with a leading zero byte
            int start = be[0] == 0 ? 1 : 0;
            int n = be.length - start;
            if (n <= 255) {
                out.write(SMALL_BIG);
                out.write(n);
            } else {
                out.write(LARGE_BIG);
                writeU32(out, n);
            }
            out.write(v.signum() < 0 ? 1 : 0);
            for (int i = be.length - 1; i >= start; i--) {
                out.write(be[i]);
            }
        }
    }

    private static void writeU32(ByteArrayOutputStream out, long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
    }
}
