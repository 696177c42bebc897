package io.gencluster.discovery.epmdall;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.Peer;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.epmd.PortMapper;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each discovered peer says which transport its node speaks, read from its PORT_PLEASE2 answer,
 * so that a transport does not dial nodes it cannot talk to.
 */
class PeerTransportTest {

    private static Set<Peer> discover(PortMapper mapper, boolean includeForeign) throws Exception {
        return new EpmdAllDiscovery(List.of("127.0.0.1"), mapper.port(), Duration.ofSeconds(2), includeForeign,
                () -> "127.0.0.1").peers();
    }

    @Test
    void aDistTcpNodeSpeaksTcpAndAnErlangNodeErlang() throws Exception {
        try (PortMapper mapper = PortMapper.start(InetAddress.getLoopbackAddress(), 0)) {
            EpmdClient epmd = new EpmdClient("127.0.0.1", mapper.port(), Duration.ofSeconds(2));
            try (EpmdClient.Registration ours = epmd.register(NodeEntry.genCluster("ours", 4370), () -> { });
                    EpmdClient.Registration erl = epmd.register(NodeEntry.erlang("erl", 4371, false), () -> { });
                    EpmdClient.Registration hidden = epmd.register(NodeEntry.erlang("cnode", 4372, true), () -> { })) {
                assertEquals(Set.of(Peer.parse("ours@127.0.0.1:4370").withTransport("tcp"),
                        Peer.parse("erl@127.0.0.1:4371").withTransport("erlang"),
                        Peer.parse("cnode@127.0.0.1:4372").withTransport("erlang")), discover(mapper, true));
                assertEquals(Set.of(Peer.parse("ours@127.0.0.1:4370").withTransport("tcp")), discover(mapper, false),
                        "without include.foreign only dist-tcp nodes");
            }
        }
    }
}
