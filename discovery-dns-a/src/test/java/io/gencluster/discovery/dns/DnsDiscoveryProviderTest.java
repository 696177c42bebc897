package io.gencluster.discovery.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import java.lang.annotation.Annotation;
import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;

/** The plain-Java provider: the same settings as the DS component, basename from this node. */
class DnsDiscoveryProviderTest {

    private final TinyDnsServer dns = new TinyDnsServer();

    DnsDiscoveryProviderTest() throws Exception {
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    /** The configuration a .cfg file with domain, servers and the given record type gives. */
    private DnsDiscoveryConfig config(String domain, String recordType) {
        String server = "127.0.0.1:" + dns.port();
        return new DnsDiscoveryConfig() {
            public Class<? extends Annotation> annotationType() {
                return DnsDiscoveryConfig.class;
            }

            public String domain() {
                return domain;
            }

            public String record_type() {
                return recordType;
            }

            public String basename() {
                return "";
            }

            public String host_type() {
                return "";
            }

            public String[] servers() {
                return new String[] {server};
            }

            public int port() {
                return 4370;
            }

            public String[] search() {
                return new String[] {"none.invalid"};
            }

            public long timeout_ms() {
                return 1000;
            }

            public int max_peers() {
                return 1024;
            }
        };
    }

    @Test
    void theProviderDiscoversWithThisNodesNameAsBasename() throws Exception {
        dns.add(new ARecord(Name.fromString("nodes.test."), DClass.IN, 60, InetAddress.getByName("10.0.0.7")));
        DnsDiscoveryProvider provider = new DnsDiscoveryProvider();
        assertEquals("io.gencluster.discovery.dns", provider.pid());
        Discovery d = provider.create(config("nodes.test", "A"), NodeName.parse("app@10.0.0.1"));
        assertEquals(Set.of(Peer.parse("app@10.0.0.7:4370")), d.peers());
    }

    @Test
    void aBadValueIsRefusedNamingItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DnsDiscoveryProvider().create(config("nodes.test", "MX"), NodeName.parse("app@h")));
        assertTrue(e.getMessage().contains("record.type"), e.getMessage());
    }
}
