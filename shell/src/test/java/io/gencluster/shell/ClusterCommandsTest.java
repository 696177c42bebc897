package io.gencluster.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.Cluster;
import io.gencluster.api.ClusterControl;
import io.gencluster.api.Messenger;
import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import io.gencluster.api.NodeState;
import io.gencluster.api.NodeState.Status;
import io.gencluster.api.Peer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The commands' text against a fixed cluster view; the real runtime and Gogo are in the itests. */
class ClusterCommandsTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final NodeName A = NodeName.parse("a@10.0.0.1");
    private static final NodeName B = NodeName.parse("b@10.0.0.2");
    private static final NodeName C = NodeName.parse("c@10.0.0.3");

    private final List<String> asked = new ArrayList<>();
    private CompletableFuture<Void> answer = CompletableFuture.completedFuture(null);

    private final Cluster cluster = new Cluster() {
        @Override
        public NodeName self() {
            return A;
        }

        @Override
        public Set<NodeName> members() {
            return Set.of(B);
        }

        @Override
        public Set<Peer> discovered() {
            return Set.of(Peer.of(B, 4370), Peer.of(C));
        }

        @Override
        public Map<NodeName, NodeState> nodes() {
            return Map.of(B, new NodeState(Status.CONNECTED, true, 0, Optional.empty(), Optional.empty()),
                    C, new NodeState(Status.BACKING_OFF, true, 3, Optional.of(NOW.plusMillis(1200)),
                            Optional.of("connection refused")));
        }
    };

    private final ClusterControl control = new ClusterControl() {
        @Override
        public CompletionStage<Void> refresh() {
            asked.add("refresh");
            return answer;
        }

        @Override
        public CompletionStage<Void> connect(Peer peer) {
            asked.add("connect " + peer);
            return answer;
        }

        @Override
        public void disconnect(NodeName node) {
            asked.add("disconnect " + node);
        }
    };

    private final Messenger messenger = (node, mailbox, payload, maxWait) -> {
        if (!node.equals(B)) {
            throw new MessagingException(node + " is not connected");
        }
        asked.add("send " + node + " " + mailbox + " " + new String(payload, StandardCharsets.UTF_8));
    };

    private final ClusterCommands commands = new ClusterCommands(() -> cluster, () -> control, () -> messenger,
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void statusShowsSelfMembersAndEachNodesStateBackoffAndLastError() {
        assertEquals(""
                + "self     a@10.0.0.1\n"
                + "members  1 connected\n"
                + "\n"
                + "NODE        STATUS       DISCOVERED  FAILURES  NEXT ATTEMPT  LAST ERROR\n"
                + "b@10.0.0.2  connected    yes         0         -             -\n"
                + "c@10.0.0.3  backing-off  yes         3         in 1200 ms    connection refused\n",
                commands.status());
    }

    @Test
    void discoveredShowsEachPeerWithItsPortAndState() {
        assertEquals(""
                + "NODE        PORT  STATUS\n"
                + "b@10.0.0.2  4370  connected\n"
                + "c@10.0.0.3  -     backing-off\n", commands.discovered());
    }

    @Test
    void connectAsksTheRuntimeAndReportsItsReasonWhenItFails() {
        assertTrue(commands.connect("c@10.0.0.3:4370").startsWith("connected c@10.0.0.3 ("));
        answer = CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.connect("c@10.0.0.3"));
        assertEquals("cannot connect c@10.0.0.3: connection refused", e.getMessage());
        assertEquals(List.of("connect c@10.0.0.3:4370", "connect c@10.0.0.3"), asked);
    }

    @Test
    void aBadNodeNameIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> commands.connect("no-at-sign"));
        assertTrue(e.getMessage().contains("'no-at-sign'"), e.getMessage());
        assertTrue(asked.isEmpty());
    }

    @Test
    void disconnectSaysWhenADiscoveredNodeWillComeBackAndWhenThereIsNothingToDo() {
        assertEquals("disconnected b@10.0.0.2 (discovery still reports it: it is reconnected after its backoff)\n",
                commands.disconnect("b@10.0.0.2"));
        assertEquals("c@10.0.0.3 is not connected\n", commands.disconnect("c@10.0.0.3"));
        assertEquals(List.of("disconnect b@10.0.0.2"), asked);
    }

    @Test
    void refreshWaitsForTheRoundThenPrintsWhatWasDiscovered() {
        String out = commands.refresh();
        assertTrue(out.startsWith("refreshed: 2 peer(s) discovered\n\nNODE"), out);
        assertEquals(List.of("refresh"), asked);
    }

    @Test
    void sendJoinsTheWordsAndReportsARefusal() {
        assertEquals("queued 11 bytes (text as UTF-8) for mailbox inbox on b@10.0.0.2; delivery is not confirmed: a mailbox"
                + " nobody handles there drops it\n", commands.send("b@10.0.0.2", "inbox", "hello", "world"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> commands.send("c@10.0.0.3", "inbox", "x"));
        assertEquals("not sent to c@10.0.0.3: c@10.0.0.3 is not connected", e.getMessage());
    }

    @Test
    void withoutARunningClusterEveryCommandSaysSo() {
        ClusterCommands none = new ClusterCommands(() -> null, () -> null, () -> null, Clock.systemUTC());
        for (Runnable r : List.<Runnable>of(none::status, none::discovered, none::refresh, () -> none.connect("b@h"),
                () -> none.disconnect("b@h"))) {
            assertEquals(ClusterCommands.NO_CLUSTER, assertThrows(IllegalStateException.class, r::run).getMessage());
        }
    }
}
