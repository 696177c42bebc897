package io.gencluster.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventTopicsTest {

    private static final NodeName B = NodeName.parse("b@10.0.0.2");
    private static final Instant T = Instant.ofEpochMilli(1_700_000_000_123L);

    @Test
    void aNodeDownCarriesItsReasonDetailAndTimeAsPlainValues() {
        ClusterEvent e = ClusterEvent.nodeDown(B, DownReason.HEARTBEAT_TIMEOUT, "nothing for 10000 ms", T);
        assertEquals("io/gencluster/NODE_DOWN", EventTopics.topic(e));
        assertEquals(Map.of("node", "b@10.0.0.2", "node.name", "b", "node.host", "10.0.0.2",
                "reason", "HEARTBEAT_TIMEOUT", "detail", "nothing for 10000 ms", "timestamp", 1_700_000_000_123L),
                EventTopics.properties(e));
    }

    @Test
    void upDiscoveredAndLostHaveTheirTopicAndNoReason() {
        assertEquals("io/gencluster/NODE_UP", EventTopics.topic(ClusterEvent.nodeUp(B, T)));
        ClusterEvent found = ClusterEvent.nodeDiscovered(Peer.of(B, 4370), T);
        assertEquals("io/gencluster/NODE_DISCOVERED", EventTopics.topic(found));
        assertEquals("b@10.0.0.2:4370", EventTopics.properties(found).get("detail"));
        ClusterEvent lost = ClusterEvent.nodeLost(B, T);
        assertEquals("io/gencluster/NODE_LOST", EventTopics.topic(lost));
        assertEquals(false, EventTopics.properties(lost).containsKey("reason"));
    }
}
