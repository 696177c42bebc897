package io.gencluster.membershiplog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.DownReason;
import io.gencluster.api.NodeName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MembershipLogTest {

    private static final NodeName SELF = NodeName.parse("n1@127.0.0.1");
    private static final NodeName N2 = NodeName.parse("n2@127.0.0.1");
    private static final NodeName N3 = NodeName.parse("n3@127.0.0.1");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final MembershipLog log = new MembershipLog(SELF, new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void printsTheStartingMembershipThenOneLinePerChange() {
        log.start(Set.of());
        log.event(ClusterEvent.nodeUp(N3, Instant.EPOCH));
        log.event(ClusterEvent.nodeUp(N2, Instant.EPOCH));
        log.event(ClusterEvent.nodeDown(N3, DownReason.CONNECTION_CLOSED, "", Instant.EPOCH));
        assertEquals(List.of(
                "members of n1@127.0.0.1: (none)",
                "members of n1@127.0.0.1: n3@127.0.0.1",
                "members of n1@127.0.0.1: n2@127.0.0.1, n3@127.0.0.1",
                "members of n1@127.0.0.1: n2@127.0.0.1"), lines());
    }

    @Test
    void anEventThatChangesNothingPrintsNothing() {
        log.start(Set.of(N2));
        log.event(ClusterEvent.nodeUp(N2, Instant.EPOCH));
        log.event(ClusterEvent.nodeDown(N3, DownReason.CONNECTION_CLOSED, "", Instant.EPOCH));
        assertEquals(List.of("members of n1@127.0.0.1: n2@127.0.0.1"), lines());
    }

    @Test
    void saysWhenTheClusterStopsAndStartsAgainFromNothing() {
        log.start(Set.of(N2));
        log.stopped();
        log.event(ClusterEvent.nodeUp(N3, Instant.EPOCH));
        assertEquals(List.of(
                "members of n1@127.0.0.1: n2@127.0.0.1",
                "cluster of n1@127.0.0.1 stopped",
                "members of n1@127.0.0.1: n3@127.0.0.1"), lines());
    }

    @Test
    void thisNodeIsNeverListedAsItsOwnMember() {
        log.start(Set.of(SELF, N2));
        log.event(ClusterEvent.nodeUp(SELF, Instant.EPOCH));
        assertEquals(List.of("members of n1@127.0.0.1: n2@127.0.0.1"), lines());
    }
}
