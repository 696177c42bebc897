package io.gencluster.discovery.epmdall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.epmd.PortMapper;
import io.gencluster.testing.CfgValues;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plain-Java provider: the same configuration and checks as the DS component. */
class EpmdAllDiscoveryProviderTest {

    private final EpmdAllDiscoveryProvider provider = new EpmdAllDiscoveryProvider();

    @Test
    void localhostIsTheHostOfThisNodesName() throws Exception {
        try (PortMapper mapper = PortMapper.start(InetAddress.getLoopbackAddress(), 0);
                EpmdClient.Registration b = new EpmdClient("127.0.0.1", mapper.port(), Duration.ofSeconds(2))
                        .register(NodeEntry.genCluster("b", 4370), () -> { })) {
            var config = CfgValues.of(EpmdAllDiscoveryConfig.class, Map.of("epmd.port", String.valueOf(mapper.port())));
            Set<Peer> peers = provider.create(config, NodeName.parse("a@127.0.0.1")).peers();
            assertEquals(Set.of(Peer.parse("b@127.0.0.1:4370").withTransport("tcp")), peers);
        }
    }

    @Test
    void aBadValueIsRefusedByKeyAndValue() {
        var config = CfgValues.of(EpmdAllDiscoveryConfig.class, Map.of("epmd.port", "0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.create(config, NodeName.parse("a@127.0.0.1")));
        assertTrue(e.getMessage().startsWith("key 'epmd.port' has invalid value '0'"), e.getMessage());
    }

    @Test
    void isKnownByThePidAndStrategyNameOfTheComponent() {
        assertEquals(EpmdAllDiscoveryComponent.PID, provider.pid());
        assertEquals("epmd-all", provider.strategy());
        assertEquals(EpmdAllDiscoveryConfig.class, provider.configurationType());
    }
}
