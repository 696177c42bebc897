package io.gencluster.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterEventTest {

    private static final NodeName B = NodeName.parse("b@h");
    private static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void eventsReadAsOneLogLineEach() {
        assertEquals("node up b@h", ClusterEvent.nodeUp(B, T).toString());
        assertEquals("node down b@h (HEARTBEAT_TIMEOUT: silent 3 s)",
                ClusterEvent.nodeDown(B, DownReason.HEARTBEAT_TIMEOUT, "silent 3 s", T).toString());
        assertEquals("node down b@h (SHUTDOWN)", ClusterEvent.nodeDown(B, DownReason.SHUTDOWN, null, T).toString());
        assertEquals("node discovered b@h:4370", ClusterEvent.nodeDiscovered(Peer.of(B, 4370), T).toString());
        assertEquals("node lost b@h (no longer discovered)", ClusterEvent.nodeLost(B, T).toString());
    }

    @Test
    void onlyANodeDownCarriesAReason() {
        assertEquals(Optional.empty(), ClusterEvent.nodeUp(B, T).reason());
        assertEquals(Optional.of(DownReason.SHUTDOWN), ClusterEvent.nodeDown(B, DownReason.SHUTDOWN, "", T).reason());
        assertThrows(IllegalArgumentException.class,
                () -> new ClusterEvent(ClusterEvent.Type.NODE_UP, B, Optional.of(DownReason.SHUTDOWN), "", T));
        assertThrows(IllegalArgumentException.class,
                () -> new ClusterEvent(ClusterEvent.Type.NODE_DOWN, B, Optional.empty(), "", T));
        assertThrows(NullPointerException.class, () -> ClusterEvent.nodeDown(B, null, "", T));
    }

    @Test
    void theSameEventTwiceIsEqual() {
        assertEquals(ClusterEvent.nodeUp(B, T), ClusterEvent.nodeUp(B, T));
        assertEquals("", ClusterEvent.nodeDown(B, DownReason.SHUTDOWN, null, T).detail());
    }
}
