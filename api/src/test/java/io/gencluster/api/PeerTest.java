package io.gencluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PeerTest {

    @Test
    void aPeerWithoutPortHasNone() {
        Peer p = Peer.parse("a@host");
        assertEquals(NodeName.parse("a@host"), p.node());
        assertFalse(p.port().isPresent());
        assertEquals("a@host", p.toString());
    }

    @Test
    void aPeerWithPortKeepsIt() {
        Peer p = Peer.parse(" a@127.0.0.1:4370 ");
        assertEquals(OptionalInt.of(4370), p.port());
        assertEquals("127.0.0.1", p.node().host());
        assertEquals("a@127.0.0.1:4370", p.toString());
        assertEquals(p, Peer.parse(p.toString()));
    }

    @Test
    void ipv6HostsTakeBracketsForAPort() {
        Peer withPort = Peer.parse("a@[::1]:4370");
        assertEquals("::1", withPort.node().host());
        assertEquals(OptionalInt.of(4370), withPort.port());
        assertEquals("a@[::1]:4370", withPort.toString());
        Peer bare = Peer.parse("a@fe80::1");
        assertEquals("fe80::1", bare.node().host());
        assertFalse(bare.port().isPresent());
    }

    @Test
    void badPortsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Peer.parse("a@h:http"));
        assertTrue(e.getMessage().contains("port 'http'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Peer.parse("a@h:0"));
        assertTrue(e.getMessage().contains("port 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Peer.parse("a@h:65536"));
        assertThrows(IllegalArgumentException.class, () -> Peer.parse("a@[::1"));
        assertThrows(IllegalArgumentException.class, () -> Peer.parse("a@[::1]4370"));
        assertThrows(IllegalArgumentException.class, () -> Peer.of(NodeName.parse("a@h"), 70000));
    }

    @Test
    void peersWithDifferentPortsDiffer() {
        assertFalse(Peer.parse("a@h:1").equals(Peer.parse("a@h:2")));
        assertFalse(Peer.parse("a@h").equals(Peer.parse("a@h:2")));
    }

    @Test
    void aPeerBuiltFromItsPartsIsCheckedLikeOneParsed() {
        assertEquals(Peer.parse("a@h:4370"), new Peer(NodeName.parse("a@h"), OptionalInt.of(4370)));
        assertEquals(Peer.of(NodeName.parse("a@h")), new Peer(NodeName.parse("a@h"), OptionalInt.empty()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Peer(NodeName.parse("a@h"), OptionalInt.of(0)));
        assertTrue(e.getMessage().contains("invalid port 0 for node a@h"), e.getMessage());
    }

    @Test
    void aPeerMayCarryTheTransportItsNodeSpeaksWhichItsTextFormLeavesOut() {
        Peer erlang = Peer.parse("a@h:4370").withTransport("erlang");
        assertEquals(Optional.of("erlang"), erlang.transport());
        assertEquals(Optional.empty(), Peer.parse("a@h:4370").transport());
        assertFalse(erlang.equals(Peer.parse("a@h:4370")), "a known transport is a different fact");
        assertEquals("a@h:4370", erlang.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Peer.parse("a@h").withTransport(" "));
        assertTrue(e.getMessage().contains("blank transport for node a@h"), e.getMessage());
    }
}
