package io.gencluster.discovery.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.Peer;
import io.gencluster.spi.DiscoveryException;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;

class DnsDiscoveryTest {

    private final TinyDnsServer dns;

    DnsDiscoveryTest() throws Exception {
        dns = new TinyDnsServer();
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    private DnsDiscovery discovery(String domain, String type, String basename, String hostType, int port, List<String> search) {
        return new DnsDiscovery(new DnsSettings(domain, type, basename, hostType, List.of("127.0.0.1:" + dns.port()), port,
                search, 1000), () -> "self");
    }

    private DnsDiscovery discovery(String domain, String type, String hostType) {
        return discovery(domain, type, "", hostType, 0, List.of("none.invalid"));
    }

    private static Name n(String s) throws Exception {
        return Name.fromString(s);
    }

    private void a(String name, String ip) throws Exception {
        dns.add(new ARecord(n(name), DClass.IN, 60, InetAddress.getByName(ip)));
    }

    @Test
    void eachARecordBecomesBasenameAtIp() throws Exception {
        a("nodes.test.", "10.0.0.1");
        a("nodes.test.", "10.0.0.2");
        assertEquals(Set.of(Peer.parse("self@10.0.0.1"), Peer.parse("self@10.0.0.2")), discovery("nodes.test", "A", "").peers());
    }

    @Test
    void anExplicitBasenameAndPortAreUsed() throws Exception {
        a("nodes.test.", "10.0.0.1");
        assertEquals(Set.of(Peer.parse("app@10.0.0.1:4370")),
                discovery("nodes.test", "A", "app", "", 4370, List.of("none.invalid")).peers());
    }

    @Test
    void aaaaRecordsGiveShortIpv6Hosts() throws Exception {
        dns.add(new AAAARecord(n("nodes.test."), DClass.IN, 60, InetAddress.getByName("fd00:0:0:0:0:0:0:1")));
        dns.add(new AAAARecord(n("nodes.test."), DClass.IN, 60, InetAddress.getByName("2001:db8:0:1:0:0:0:abcd")));
        assertEquals(Set.of(Peer.parse("self@fd00::1"), Peer.parse("self@2001:db8:0:1::abcd")), discovery("nodes.test", "AAAA", "").peers());
    }

    @Test
    void hostTypeHostnameUsesThePtrNameOfEachAddress() throws Exception {
        a("nodes.test.", "10.0.0.1");
        dns.add(new PTRRecord(ReverseMap.fromAddress("10.0.0.1"), DClass.IN, 60, n("pod-1.nodes.test.")));
        assertEquals(Set.of(Peer.parse("self@pod-1.nodes.test")), discovery("nodes.test", "A", "hostname").peers());
    }

    @Test
    void aMissingPtrIsAFailureNamingTheAddress() throws Exception {
        a("nodes.test.", "10.0.0.9");
        DiscoveryException e = assertThrows(DiscoveryException.class, () -> discovery("nodes.test", "A", "hostname").peers());
        assertTrue(e.getMessage().contains("no PTR record for 10.0.0.9"), e.getMessage());
    }

    @Test
    void srvAnswersGiveTargetsWithTheirPorts() throws Exception {
        dns.add(new SRVRecord(n("_dist._tcp.nodes.test."), DClass.IN, 60, 10, 5, 4371, n("pod-1.nodes.test.")));
        dns.add(new SRVRecord(n("_dist._tcp.nodes.test."), DClass.IN, 60, 20, 5, 4372, n("pod-2.nodes.test.")));
        assertEquals(Set.of(Peer.parse("self@pod-1.nodes.test:4371"), Peer.parse("self@pod-2.nodes.test:4372")),
                discovery("_dist._tcp.nodes.test", "SRV", "").peers());
    }

    @Test
    void srvWithHostTypeIpResolvesTheTargets() throws Exception {
        dns.add(new SRVRecord(n("_dist._tcp.nodes.test."), DClass.IN, 60, 10, 5, 4371, n("pod-1.nodes.test.")));
        a("pod-1.nodes.test.", "10.0.0.1");
        assertEquals(Set.of(Peer.parse("self@10.0.0.1:4371")), discovery("_dist._tcp.nodes.test", "SRV", "ip").peers());
    }

    @Test
    void searchDomainsAreTriedLikeTheSystemResolver() throws Exception {
        a("svc.ns.svc.cluster.test.", "10.0.0.3");
        DnsDiscovery d = discovery("svc.ns", "A", "", "", 0, List.of("svc.cluster.test"));
        assertEquals(Set.of(Peer.parse("self@10.0.0.3")), d.peers());
    }

    @Test
    void nxdomainIsAFailureNotAnEmptySet() {
        DiscoveryException e = assertThrows(DiscoveryException.class, () -> discovery("missing.test", "A", "").peers());
        assertTrue(e.getMessage().contains("NXDOMAIN"), e.getMessage());
    }

    @Test
    void noErrorWithoutRecordsIsAnEmptySet() throws Exception {
        a("nodes.test.", "10.0.0.1");
        assertEquals(Set.of(), discovery("nodes.test", "AAAA", "").peers());
    }

    @Test
    void servfailIsAFailure() {
        dns.mode = TinyDnsServer.Mode.SERVFAIL;
        DiscoveryException e = assertThrows(DiscoveryException.class, () -> discovery("nodes.test", "A", "").peers());
        assertTrue(e.getMessage().contains("A nodes.test"), e.getMessage());
    }

    @Test
    void aSilentServerIsATimeoutFailure() {
        dns.mode = TinyDnsServer.Mode.SILENT;
        long start = System.nanoTime();
        DiscoveryException e = assertThrows(DiscoveryException.class, () -> discovery("nodes.test", "A", "").peers());
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("timed out") || e.getMessage().contains("server failure or timeout"), e.getMessage());
        assertTrue(took < 10_000, "bounded by the timeout, took " + took + " ms");
    }

    @Test
    void aMalformedAnswerIsAFailure() {
        dns.mode = TinyDnsServer.Mode.GARBAGE;
        assertThrows(DiscoveryException.class, () -> discovery("nodes.test", "A", "").peers());
    }

    @Test
    void aRecordThatMakesNoNodeNameIsAFailureNamingIt() throws Exception {
        dns.add(new SRVRecord(n("_dist._tcp.nodes.test."), DClass.IN, 60, 10, 5, 4371, n("bad@name.nodes.test.")));
        DiscoveryException e = assertThrows(DiscoveryException.class, () -> discovery("_dist._tcp.nodes.test", "SRV", "").peers());
        assertTrue(e.getMessage().contains("does not make a node name"), e.getMessage());
    }

    @Test
    void withoutBasenameAndTransportTheReasonIsGiven() {
        DnsDiscovery d = new DnsDiscovery(new DnsSettings("nodes.test", "A", "", "", List.of("127.0.0.1:" + dns.port()), 0,
                List.of(), 1000), () -> null);
        DiscoveryException e = assertThrows(DiscoveryException.class, d::peers);
        assertTrue(e.getMessage().contains("no basename"), e.getMessage());
    }

    @Test
    void badSettingsNameTheKeyAndValue() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DnsSettings("", "A", "", "", List.of(), 0, List.of(), 1))
                .getMessage().startsWith("key 'domain' has invalid value ''"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DnsSettings("d", "MX", "", "", List.of(), 0, List.of(), 1))
                .getMessage().contains("'record.type' has invalid value 'MX': expected A | AAAA | SRV"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DnsSettings("d", "A", "", "fqdn", List.of(), 0, List.of(), 1))
                .getMessage().contains("'host.type' has invalid value 'fqdn': expected ip | hostname"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DnsSettings("d", "A", "a.b", "", List.of(), 0, List.of(), 1))
                .getMessage().contains("'basename' has invalid value 'a.b'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DnsSettings("d", "A", "", "", List.of("1.2.3.4:x"), 0, List.of(), 1))
                .getMessage().contains("'servers' has invalid value '1.2.3.4:x'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DnsSettings("d", "A", "", "", List.of(), 0, List.of(), 0))
                .getMessage().contains("'timeout.ms' has invalid value '0'"));
    }

    @Test
    void ipv6HostTextIsTheShortForm() throws Exception {
        assertEquals("::1", HostText.of(InetAddress.getByName("::1")));
        assertEquals("fe80::1:0:0:1", HostText.of(InetAddress.getByName("fe80:0:0:0:1:0:0:1")));
        assertEquals("1:0:2::", HostText.of(InetAddress.getByName("1:0:2:0:0:0:0:0")));
        assertEquals("10.1.2.3", HostText.of(InetAddress.getByName("10.1.2.3")));
    }
}
