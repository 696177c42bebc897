package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeState;
import io.gencluster.api.Peer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer discovered speaking another transport than this node's is never dialled: said once, over
 * any number of refreshes, and shown in its state; peers of this node's transport, or of no known
 * transport, are dialled as ever.
 */
class ForeignTransportTest {

    private static final Duration INTERVAL = Duration.ofMillis(1000);

    private final VirtualTimeScheduler time = new VirtualTimeScheduler();
    private final LoopLog log = new LoopLog();
    private RefreshLoop loop;

    @AfterEach
    void stop() {
        if (loop != null) {
            loop.close();
            time.runDue();
        }
        log.close();
    }

    private void start(RecordingDist dist, Peer... peers) {
        RuntimeSettings settings = new RuntimeSettings(String.valueOf(INTERVAL.toMillis()), 1000, 2000, 100, 800, "keep");
        loop = new RefreshLoop(dist, settings, time, Runnable::run, new Random(42), e -> { });
        loop.addDiscovery("epmd", "epmd-all", () -> Set.of(peers));
        loop.start();
        time.runDue();
    }

    @Test
    void aTcpNodeDoesNotDialAnErlangNodeAndSaysSoOnce() {
        RecordingDist dist = new RecordingDist("self@h", Optional.of("tcp"));
        start(dist, Peer.parse("erl@h:4371").withTransport("erlang"), Peer.parse("b@h:4372").withTransport("tcp"),
                Peer.parse("c@h:4373"));
        for (int i = 0; i < 5; i++) {
            time.advance(INTERVAL);
        }
        assertEquals(0, dist.connectsTo("erl@h"), "an Erlang node is not dialled with dist-tcp's handshake");
        assertTrue(dist.connectsTo("b@h") > 0, "a tcp node is dialled");
        assertTrue(dist.connectsTo("c@h") > 0, "a node of no known transport is dialled");
        assertEquals(List.of("not dialling 1 discovered node(s) that speak erlang, not this node's tcp: erl@h:4371"),
                log.containing("not dialling"), "said once over 5 refreshes");
        NodeState erl = loop.snapshot().nodes().get(io.gencluster.api.NodeName.parse("erl@h"));
        assertEquals(NodeState.Status.DISCONNECTED, erl.status());
        assertEquals(0, erl.failures());
        assertEquals(Optional.of("not dialled: it speaks erlang, this node's transport is tcp"), erl.lastError());
    }

    @Test
    void anErlangNodeDialsErlangNodesAndADistThatDoesNotSayDialsEveryone() {
        RecordingDist erlang = new RecordingDist("self@h", Optional.of("erlang"));
        start(erlang, Peer.parse("erl@h:4371").withTransport("erlang"));
        assertEquals(1, erlang.connectsTo("erl@h"));
        loop.close();

        RecordingDist unsaid = new RecordingDist("other@h");
        start(unsaid, Peer.parse("erl@h:4371").withTransport("erlang"), Peer.parse("b@h:4372").withTransport("tcp"));
        assertEquals(1, unsaid.connectsTo("erl@h"));
        assertEquals(1, unsaid.connectsTo("b@h"));
        assertTrue(log.containing("not dialling").isEmpty(), log.lines().toString());
    }
}
