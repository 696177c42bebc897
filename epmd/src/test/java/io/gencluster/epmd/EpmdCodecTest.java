package io.gencluster.epmd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EpmdCodecTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** Decodes a whole ALIVE2 request, length prefix included, as the port mapper reads it. */
    private static NodeEntry parseWholeAlive2Request(byte[] request) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(request));
        NodeEntry e = EpmdCodec.parseAlive2Request(EpmdCodec.readRequest(in));
        assertEquals(0, in.available(), "the length prefix covers the whole request");
        return e;
    }

    @Test
    void alive2RequestHasTheDocumentedLayout() {
        // the request OTP's epmd accepted for 'fakejava' on port 45555, v6, normal node, no extra
        NodeEntry e = new NodeEntry("fakejava", 45555, NodeEntry.NORMAL, 0, 6, 6, new byte[0]);
        assertArrayEquals(hex("0015 78 b1f3 4d 00 0006 0006 0008 66616b656a617661 0000"), EpmdCodec.alive2Request(e));
    }

    @Test
    void ourRegistrationCarriesTheMarker() throws Exception {
        NodeEntry e = parseWholeAlive2Request(EpmdCodec.alive2Request(NodeEntry.genCluster("n1", 4370)));
        assertEquals("n1", e.name);
        assertEquals(4370, e.port);
        assertEquals(NodeEntry.HIDDEN, e.nodeType);
        assertTrue(e.isGenCluster());
    }

    @Test
    void portPleaseAndNamesRequests() {
        assertArrayEquals(hex("0002 7a 61"), EpmdCodec.portPlease2Request("a"));
        assertArrayEquals(hex("0001 6e"), EpmdCodec.namesRequest());
    }

    @Test
    void alive2RepliesOldAndNew() throws Exception {
        assertEquals(1795480341L, EpmdCodec.readAlive2Response(new ByteArrayInputStream(hex("76 00 6b04 db15")), "x"));
        assertEquals(2, EpmdCodec.readAlive2Response(new ByteArrayInputStream(hex("79 00 0002")), "x"));
        EpmdException dup = assertThrows(EpmdException.class,
                () -> EpmdCodec.readAlive2Response(new ByteArrayInputStream(hex("76 01 00000063")), "a"));
        assertTrue(dup.getMessage().contains("in use"), dup.getMessage());
        assertThrows(java.io.IOException.class, () -> EpmdCodec.readAlive2Response(new ByteArrayInputStream(new byte[0]), "a"));
        assertThrows(EpmdException.class, () -> EpmdCodec.readAlive2Response(new ByteArrayInputStream(hex("41 00")), "a"));
        assertThrows(java.io.EOFException.class, () -> EpmdCodec.readAlive2Response(new ByteArrayInputStream(hex("76 00 00")), "a"));
    }

    @Test
    void port2ResponseAsObservedFromOtp() throws Exception {
        NodeEntry a = EpmdCodec.parsePort2Response(hex("77 00 927f 4d 00 0006 0005 0001 61 0000"), "a");
        assertEquals("a", a.name);
        assertEquals(37503, a.port);
        assertEquals(NodeEntry.NORMAL, a.nodeType);
        assertEquals(5, a.lowestVersion);
        assertTrue(!a.isGenCluster());
        NodeEntry hidden = EpmdCodec.parsePort2Response(hex("77 00 927f 48 00 0006 0006 0007 68696464656e63 0005 68656c6c6f"), "hiddenc");
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), hidden.extra());
        assertNull(EpmdCodec.parsePort2Response(hex("77 01"), "nobody"));
        assertEquals(hidden.toString(), EpmdCodec.parsePort2Response(EpmdCodec.port2Response(hidden), "hiddenc").toString());
    }

    @Test
    void malformedPort2RepliesAreNamedErrors() {
        EpmdException truncated = assertThrows(EpmdException.class, () -> EpmdCodec.parsePort2Response(hex("77 00 927f 4d"), "a"));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        assertThrows(EpmdException.class, () -> EpmdCodec.parsePort2Response(hex("77 00 927f 4d 00 0006 0005 00ff 61"), "a"));
        assertThrows(EpmdException.class, () -> EpmdCodec.parsePort2Response(hex("78 00"), "a"));
        assertThrows(EpmdException.class, () -> EpmdCodec.parsePort2Response(new byte[0], "a"));
        assertThrows(EpmdException.class, () -> EpmdCodec.parsePort2Response(hex("77 00 0000 4d 00 0006 0005 0001 61 0000"), "a"));
    }

    @Test
    void namesAreSplitAtTheLastAtPortSoNamesMayHoldSpaces() throws Exception {
        byte[] reply = concat(hex("00001111"), "name a at port 37503\nname has space at port 45559\nname \u00fcn\u00ef at port 45560\n");
        Map<String, Integer> names = EpmdCodec.parseNamesResponse(reply, "h");
        assertEquals(List.of("a", "has space", "\u00fcn\u00ef"), List.copyOf(names.keySet()));
        assertEquals(45559, names.get("has space"));
        assertTrue(EpmdCodec.parseNamesResponse(hex("00001111"), "h").isEmpty());
    }

    @Test
    void malformedNamesRepliesAreNamedErrors() {
        assertThrows(EpmdException.class, () -> EpmdCodec.parseNamesResponse(hex("0000"), "h"));
        EpmdException noEnd = assertThrows(EpmdException.class,
                () -> EpmdCodec.parseNamesResponse(concat(hex("00001111"), "name a at port 37503"), "h"));
        assertTrue(noEnd.getMessage().contains("truncated"), noEnd.getMessage());
        EpmdException badPort = assertThrows(EpmdException.class,
                () -> EpmdCodec.parseNamesResponse(concat(hex("00001111"), "name a at port 99999\n"), "h"));
        assertTrue(badPort.getMessage().contains("'99999'"), badPort.getMessage());
        assertThrows(EpmdException.class, () -> EpmdCodec.parseNamesResponse(concat(hex("00001111"), "garbage\n"), "h"));
        assertThrows(EpmdException.class, () -> EpmdCodec.parseNamesResponse(concat(hex("00001111"), new byte[] {(byte) 0xc3, '\n'}), "h"));
    }

    @Test
    void readsAreBounded() {
        byte[] big = new byte[EpmdCodec.MAX_NAMES_REPLY + 1];
        EpmdException e = assertThrows(EpmdException.class,
                () -> EpmdCodec.readToEnd(new ByteArrayInputStream(big), EpmdCodec.MAX_NAMES_REPLY, "NAMES reply"));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void malformedAlive2RequestsAreRejected() {
        assertThrows(EpmdException.class, () -> EpmdCodec.parseAlive2Request(hex("78 b1f3 4d 00 0006 0006 0000 0000")));
        assertThrows(EpmdException.class, () -> EpmdCodec.parseAlive2Request(hex("78 b1f3 4d 00 0006 0006 0005 61")));
        assertThrows(EpmdException.class, () -> EpmdCodec.parseAlive2Request(hex("78 b1f3 4d 00 0006 0006 0001 00 0000")));
        assertThrows(EpmdException.class, () -> EpmdCodec.parseAlive2Request(hex("78 b1f3 4d 00 0006 0006 0001 61 0000 ff")));
    }

    private static byte[] concat(byte[] a, String text) {
        return concat(a, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
