package io.gencluster.discovery.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.Peer;
import io.gencluster.testing.LogLines;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;

/**
 * An answer of more nodes than max.peers gives the first max.peers by address, the same ones at
 * every refresh, and one warning while the answer's size stays the same. One DNS message holds
 * at most 64 KiB, about 4,000 A records: the A test uses 4,000 (over TCP, after a truncated UDP
 * answer, as from a real server); 5,000 peers come from two SRV targets of 2,500 addresses each.
 */
class MaxPeersTest {

    private final TinyDnsServer dns = new TinyDnsServer();

    MaxPeersTest() throws Exception {
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    private DnsDiscovery discovery(String domain, String type, String hostType, int maxPeers) {
        return new DnsDiscovery(new DnsSettings(domain, type, "app", hostType, List.of("127.0.0.1:" + dns.port()), 4370,
                List.of("none.invalid"), 5000, maxPeers), () -> "self");
    }

    private static InetAddress address(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
    }

    /** {@code count} A records for {@code name}, 10.0.0.1 upwards, added in a shuffled order. */
    private void aRecords(String name, int from, int count) throws Exception {
        List<Integer> order = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(18));
        for (int i : order) {
            dns.add(new ARecord(Name.fromString(name), DClass.IN, 60, address(i)));
        }
    }

    @Test
    void fourThousandARecordsGiveTheFirst1024ByAddressAndOneWarning() throws Exception {
        aRecords("nodes.test.", 1, 4000);
        DnsDiscovery d = discovery("nodes.test", "A", "", 1024);
        try (LogLines log = new LogLines(DnsDiscovery.class)) {
            Set<Peer> first = d.peers();
            assertEquals(1024, first.size());
            assertTrue(first.contains(Peer.parse("app@10.0.0.1:4370")), "the lowest address");
            assertTrue(first.contains(Peer.parse("app@10.0.4.0:4370")), "the 1024th address");
            for (int refresh = 0; refresh < 3; refresh++) {
                assertEquals(first, d.peers(), "the same peers at every refresh");
            }
            assertEquals(List.of("DNS name nodes.test answered 4,000 nodes; using the first 1024 (max.peers)"), log.lines);

            aRecords("nodes.test.", 4001, 1); // the count changes: said again
            assertEquals(first, d.peers());
            assertEquals(2, log.lines.size(), log.lines.toString());
            assertEquals("DNS name nodes.test answered 4,001 nodes; using the first 1024 (max.peers)", log.lines.get(1));

            dns.records.clear(); // within the limit again: said once
            aRecords("nodes.test.", 1, 3);
            assertEquals(3, d.peers().size());
            assertEquals(3, d.peers().size());
            assertEquals(3, log.lines.size(), log.lines.toString());
            assertTrue(log.lines.get(2).contains("within max.peers (1024) again"), log.lines.get(2));
        }
    }

    @Test
    void fiveThousandPeersFromTwoSrvTargetsGiveTheFirst1024() throws Exception {
        dns.add(new SRVRecord(Name.fromString("_dist._tcp.nodes.test."), DClass.IN, 60, 10, 5, 4371, Name.fromString("pod-b.nodes.test.")));
        dns.add(new SRVRecord(Name.fromString("_dist._tcp.nodes.test."), DClass.IN, 60, 10, 5, 4371, Name.fromString("pod-a.nodes.test.")));
        aRecords("pod-a.nodes.test.", 1, 2500);
        aRecords("pod-b.nodes.test.", 2501, 2500);
        DnsDiscovery d = discovery("_dist._tcp.nodes.test", "SRV", "ip", 1024);
        try (LogLines log = new LogLines(DnsDiscovery.class)) {
            Set<Peer> first = d.peers();
            assertEquals(1024, first.size());
            assertTrue(first.contains(Peer.parse("app@10.0.0.1:4371")) && first.contains(Peer.parse("app@10.0.4.0:4371")),
                    "the first target's lowest addresses");
            assertEquals(first, d.peers());
            assertEquals(List.of("DNS name _dist._tcp.nodes.test answered 5,000 nodes; using the first 1024 (max.peers)"),
                    log.lines);
        }
    }

    @Test
    void addressesPastTheLimitAreNotReverseLookedUp() throws Exception {
        aRecords("nodes.test.", 1, 1100);
        dns.add(new PTRRecord(ReverseMap.fromAddress(address(1)), DClass.IN, 60, Name.fromString("pod-1.nodes.test.")));
        dns.add(new PTRRecord(ReverseMap.fromAddress(address(2)), DClass.IN, 60, Name.fromString("pod-2.nodes.test.")));
        // only the two kept addresses have PTR records: asking for the others would fail the refresh
        assertEquals(Set.of(Peer.parse("app@pod-1.nodes.test:4370"), Peer.parse("app@pod-2.nodes.test:4370")),
                discovery("nodes.test", "A", "hostname", 2).peers());
    }

    @Test
    void aMaxPeersBelowOneIsRefusedByKeyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> discovery("d", "A", "", 0));
        assertTrue(e.getMessage().startsWith("key 'max.peers' has invalid value '0'"), e.getMessage());
    }
}
