package io.gencluster.erlang;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The codec against bytes OTP 25's {@code term_to_binary/1} produced (recorded with erl), and
 * round trips of every term kind.
 */
class TermCodecTest {

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.toLowerCase());
    }

    private static ErlAtom a(String name) {
        return ErlAtom.of(name);
    }

    private static ErlInteger i(long v) {
        return ErlInteger.of(v);
    }

    /** term_to_binary output of OTP 25.2.3, and the value it must decode to. */
    private static final Object[][] FROM_ERLANG = {
        {"836100", i(0)},
        {"8361FF", i(255)},
        {"836200000100", i(256)},
        {"8362FFFFFFFF", i(-1)},
        {"83627FFFFFFF", i(Integer.MAX_VALUE)},
        {"836280000000", i(Integer.MIN_VALUE)},
        {"836E040000000080", i(2147483648L)},
        {"836E08010100000000000080", new ErlInteger(new BigInteger("-9223372036854775809"))},
        {"836E0D00D20A3F4EEEE073C3F60FE98E01", new ErlInteger(new BigInteger("123456789012345678901234567890"))},
        {"83463FF8000000000000", ErlFloat.of(1.5)},
        {"83468000000000000000", ErlFloat.of(-0.0)},
        {"8364000568656C6C6F", a("hello")},
        {"8364000568E46C6C6F", a("h\u00e4llo")}, // ATOM_EXT is Latin-1
        {"836A", ErlList.NIL},
        {"836B0003010203", ErlList.of(i(1), i(2), i(3))},
        {"836B0003616263", ErlList.of(i('a'), i('b'), i('c'))}, // "abc"
        {"836C000000016400016164000162", ErlList.improper(List.of(a("a")), a("b"))},
        {"836C00000002640001616400016264000163", ErlList.improper(List.of(a("a"), a("b")), a("c"))},
        {"836800", ErlTuple.of()},
        {"8368026400026F6B6D0000000362696E", ErlTuple.of(a("ok"), ErlBinary.of("bin"))},
        {"836D00000000", ErlBinary.of(new byte[0])},
        {"834D000000010320", ErlBinary.bits(new byte[] {0x20}, 3)}, // <<1:3>>
        {"8374000000026400016161016D000000016B6C00000001640001786A",
            ErlMap.of(mapOf(a("a"), i(1), ErlBinary.of("k"), ErlList.of(a("x"))))},
    };

    private static Map<Term, Term> mapOf(Term... kv) {
        Map<Term, Term> m = new LinkedHashMap<>();
        for (int k = 0; k < kv.length; k += 2) {
            m.put(kv[k], kv[k + 1]);
        }
        return m;
    }

    @Test
    void decodesWhatErlangEncodes() throws Exception {
        for (Object[] c : FROM_ERLANG) {
            assertEquals(c[1], TermCodec.decode(hex((String) c[0])), (String) c[0]);
        }
    }

    @Test
    void encodesIntegersFloatsTuplesBinariesAndMapsByteForByteAsErlang() {
        for (Object[] c : FROM_ERLANG) {
            Term t = (Term) c[1];
            String erlang = (String) c[0];
            boolean sameForm = !containsAtomOrString(t) && !erlang.startsWith("836B");
            if (sameForm) {
                assertArrayEquals(hex(erlang), TermCodec.encode(t), t.toString());
            }
        }
    }

    private static boolean containsAtomOrString(Term t) {
        if (t instanceof ErlAtom) {
            return true;
        }
        if (t instanceof ErlTuple tu) {
            return tu.elements().stream().anyMatch(TermCodecTest::containsAtomOrString);
        }
        if (t instanceof ErlList l) {
            return l.elements().stream().anyMatch(TermCodecTest::containsAtomOrString) || l.tail() != null;
        }
        if (t instanceof ErlMap m) {
            return m.entries().keySet().stream().anyMatch(TermCodecTest::containsAtomOrString)
                    || m.entries().values().stream().anyMatch(TermCodecTest::containsAtomOrString);
        }
        return false;
    }

    @Test
    void everyKindOfTermSurvivesARoundTrip() throws Exception {
        ErlAtom node = a("e1@127.0.0.1");
        List<Term> terms = List.of(
                i(0), i(-1), i(Long.MAX_VALUE), i(Long.MIN_VALUE), new ErlInteger(BigInteger.TWO.pow(4000).negate()),
                ErlFloat.of(3.25), ErlFloat.of(Double.NaN), a(""), a("\u00fcn\u00efc\u00f8d\u00e9 \u2603"), a("x".repeat(255)),
                ErlBinary.of("h\u00e9"), ErlBinary.bits(new byte[] {(byte) 0xff, (byte) 0xff}, 1),
                ErlList.NIL, ErlList.of(ErlList.NIL), ErlList.improper(List.of(a("alias")), new ErlRef(node, 7, new int[] {1, 2, 3})),
                ErlTuple.of(), tuple(300), ErlMap.of(Map.of()), ErlMap.of(mapOf(ErlTuple.of(i(1)), ErlMap.of(mapOf(a("k"), a("v"))))),
                new ErlPid(node, 85, 0, 1796111784L), new ErlPid(node, 0xffffffffL, 0xffffffffL, 0xffffffffL),
                new ErlRef(node, 0, new int[] {-1, 0, 1, 2, 3}), new ErlPort(node, 5, 9), new ErlPort(node, 1L << 40, 9));
        for (Term t : terms) {
            assertEquals(t, TermCodec.decode(TermCodec.encode(t)), t.toString());
        }
    }

    private static ErlTuple tuple(int arity) {
        List<Term> es = new ArrayList<>();
        for (int k = 0; k < arity; k++) {
            es.add(i(k));
        }
        return new ErlTuple(es);
    }

    @Test
    void aListTailThatIsAListJoinsTheElements() {
        assertEquals(ErlList.of(i(1), i(2)), ErlList.improper(List.of(i(1)), ErlList.of(i(2))));
        assertTrue(ErlList.improper(List.of(i(1)), ErlList.of(i(2))).isProper());
        assertFalse(ErlList.improper(List.of(i(1)), i(2)).isProper());
    }

    @Test
    void malformedInputIsRefusedWithItsReasonAndOffset() {
        assertEquals("version byte 130 at offset 0, expected 131", fails("8261").getMessage());
        assertTrue(fails("8362FFFF").getMessage().startsWith("term truncated at offset 2"));
        assertTrue(fails("83FF").getMessage().startsWith("unknown tag 255 at offset 1"));
        assertTrue(fails("836C7FFFFFFF6A").getMessage().contains("list of 2147483647 elements"), "count beyond the bytes left");
        assertTrue(fails("8374000000036101").getMessage().contains("map of 3 elements"));
        assertTrue(fails("836E0802000000000000000000").getMessage().contains("bignum sign 2"));
        assertTrue(fails("83760002C328").getMessage().contains("not valid UTF-8"));
        assertTrue(fails("8361016A").getMessage().contains("1 bytes after the term"));
        assertTrue(fails("837400000002640001616101640001616102").getMessage().contains("repeated"));
        assertTrue(fails("835A0006" + "6400016101" + "00000001").getMessage().contains("reference of 6 words"));
        assertTrue(fails("834D0000000109FF").getMessage().contains("ending in 9 bits"));
    }

    @Test
    void funsAndCompressedTermsAreUnsupportedNotMalformed() {
        assertTrue(fails("8350000000").isUnsupported());
        assertTrue(fails("8371640001616400016661").isUnsupported());
        assertFalse(fails("83FF").isUnsupported());
    }

    @Test
    void nestingIsBounded() {
        StringBuilder deep = new StringBuilder("83");
        for (int k = 0; k <= TermCodec.MAX_DEPTH + 1; k++) {
            deep.append("6801");
        }
        deep.append("6A");
        assertTrue(fails(deep.toString()).getMessage().contains("nested deeper"));
    }

    @Test
    void aMapArityOfTwoToThe32MinusOneIsRefusedBeforeAnythingIsAllocated() {
        TermFormatException e = fails("8374FFFFFFFF" + "6101".repeat(8));
        assertTrue(e.getMessage().startsWith("map of 4294967295 elements at offset 6: at most 1048576 terms"), e.getMessage());
    }

    @Test
    void mapsListsAndTuplesFillingTheWholeInputAreBoundedInTerms() {
        // every entry present, keys distinct: before the bound this decoded into a half-million-entry map
        int entries = TermCodec.MAX_TERMS / 2 + 1;
        java.nio.ByteBuffer map = java.nio.ByteBuffer.allocate(6 + entries * 7);
        map.put((byte) 131).put((byte) 116).putInt(entries);
        for (int k = 0; k < entries; k++) {
            map.put((byte) 98).putInt(k).put((byte) 97).put((byte) 0);
        }
        TermFormatException e = fails(map.array());
        assertTrue(e.getMessage().contains("map of " + entries + " elements"), e.getMessage());

        byte[] list = new byte[7 + (TermCodec.MAX_TERMS + 1) * 2];
        list[0] = (byte) 131;
        list[1] = 108;
        java.nio.ByteBuffer.wrap(list, 2, 4).putInt(TermCodec.MAX_TERMS + 1);
        for (int k = 0; k <= TermCodec.MAX_TERMS; k++) {
            list[6 + k * 2] = 97;
        }
        list[list.length - 1] = 106;
        assertTrue(fails(list).getMessage().contains("list of 1048577 elements"), fails(list).getMessage());

        // nested collections share one budget: 2 tuples of 600,000 elements each
        StringBuilder twoTuples = new StringBuilder("836802");
        for (int t = 0; t < 2; t++) {
            twoTuples.append("69").append(String.format("%08X", 600_000)).append("6100".repeat(600_000));
        }
        assertTrue(fails(twoTuples.toString()).getMessage().contains("at most 1048576 terms"));
    }

    @Test
    void aListOfHundredsOfThousandsOfElementsIsStillRead() throws Exception {
        List<Term> many = new ArrayList<>();
        for (int k = 0; k < 500_000; k++) {
            many.add(i(k % 256));
        }
        assertEquals(ErlList.of(many), TermCodec.decode(TermCodec.encode(ErlList.of(many))));
    }

    @Test
    void bignumsAreBounded() {
        assertTrue(fails("836F0000100000").getMessage().contains("bignum of 4096 bytes"));
    }

    @Test
    void atomsLongerThan255CharactersAreRefusedBothWays() {
        assertThrows(IllegalArgumentException.class, () -> a("x".repeat(256)));
        String h = "83760100" + "78".repeat(256);
        assertTrue(fails(h).getMessage().contains("longer than 255"));
    }

    private static TermFormatException fails(String h) {
        return fails(hex(h));
    }

    private static TermFormatException fails(byte[] bytes) {
        return assertThrows(TermFormatException.class, () -> TermCodec.decode(bytes));
    }
}
