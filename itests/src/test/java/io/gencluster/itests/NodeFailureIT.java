package io.gencluster.itests;

import static io.gencluster.itests.JvmCluster.TIMEOUT;
import static io.gencluster.itests.JvmCluster.full;
import static io.gencluster.itests.JvmCluster.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.Figures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fault suite's node failures, every node a JVM of its own on 127.0.0.1: one killed hard in a
 * five-node mesh, one frozen (SIGSTOP) and resumed, and one killed while messages to it are in
 * flight. Figures go to RELIABILITY.md (see {@link Figures}).
 */
class NodeFailureIT {

    private JvmCluster cluster;

    @AfterEach
    void killAll() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodeKilledHardInAFiveNodeMeshIsDownForEachOtherWhoKeepTheirConnectionsAndRejoinsWhenRestarted() throws Exception {
        cluster = new JvmCluster("kill5", "n1", "n2", "n3", "n4", "n5");
        List<NodeProcess> nodes = new ArrayList<>();
        for (String n : cluster.ports.keySet()) {
            nodes.add(cluster.start(n));
        }
        cluster.awaitMesh(nodes.toArray(NodeProcess[]::new));
        List<NodeProcess> survivors = nodes.subList(0, 4);
        NodeProcess victim = nodes.get(4);
        for (NodeProcess p : survivors) {
            // the membership line can come before the event line: count events once every up is in
            for (String other : cluster.othersThan(p.name)) {
                p.awaitEvent(e -> e.isUp(other), TIMEOUT);
            }
        }
        Map<NodeProcess, Integer> eventsBefore = new HashMap<>();
        for (NodeProcess p : survivors) {
            eventsBefore.put(p, p.events().size());
        }

        long killed = System.nanoTime();
        victim.kill();
        long detection = 0;
        for (NodeProcess p : survivors) {
            NodeProcess.Event down = p.awaitEvent(e -> e.isDown(full("n5")) && e.nanos() > killed, TIMEOUT);
            assertTrue(down.text().contains("(CONNECTION_CLOSED"), p.name + ": " + down.text());
            detection = Math.max(detection, ms(killed, down.nanos()));
            p.awaitMembers(cluster.othersThan(p.name).stream().filter(n -> !n.equals(full("n5")))
                    .collect(java.util.stream.Collectors.toSet()), TIMEOUT);
        }

        // restarted with its transport only: only the survivors' loops can bring it back
        NodeProcess restarted = cluster.startTransportOnly("n5");
        long ready = System.nanoTime();
        for (NodeProcess p : survivors) {
            p.awaitMembers(cluster.othersThan(p.name), TIMEOUT);
        }
        long reconnect = ms(ready, System.nanoTime()); // from ready until the last survivor had it back
        assertTrue(restarted.pid() != victim.pid());
        for (NodeProcess p : survivors) {
            // the membership line can come before the event line: the listener is called afterwards
            p.awaitEvent(e -> e.isUp(full("n5")) && e.nanos() > killed, TIMEOUT);
            List<NodeProcess.Event> since = p.events().subList(eventsBefore.get(p), p.events().size());
            for (NodeProcess.Event e : since) {
                assertTrue(e.text().endsWith("n5@127.0.0.1") || e.isDown(full("n5")), p.name + " saw another node change: " + since);
            }
            assertEquals(1, since.stream().filter(e -> e.isDown(full("n5"))).count(), p.name + ": " + since);
            assertEquals(1, since.stream().filter(e -> e.isUp(full("n5"))).count(), p.name + ": " + since);
        }
        assertTrue(reconnect <= JvmCluster.REFRESH_MS + JvmCluster.BACKOFF_MAX_MS + 1500,
                "rejoined " + reconnect + " ms after it was ready; refresh " + JvmCluster.REFRESH_MS + " ms");
        new Figures("kill -9 of one node in a 5-node mesh").put("detection.ms", detection).put("reconnect.ms", reconnect)
                .put("other.downs", 0).put("note", "down reason CONNECTION_CLOSED at each of the 4 others; rejoin from restart to full mesh")
                .write();
    }

    @Test
    void aFrozenNodeIsDownWithinTheSilenceWindowAndBackAfterResumeWithNoDuplicateConnection() throws Exception {
        cluster = new JvmCluster("freeze", "n1", "n2", "n3");
        NodeProcess n1 = cluster.start("n1");
        NodeProcess n2 = cluster.start("n2");
        NodeProcess n3 = cluster.start("n3");
        cluster.awaitMesh(n1, n2, n3);
        Map<NodeProcess, Integer> sockets = new HashMap<>();
        for (NodeProcess p : List.of(n1, n2, n3)) {
            sockets.put(p, Integer.parseInt(p.resources().get("sockets")));
        }

        n3.signal("STOP");
        long frozen = System.nanoTime();
        long detection = 0;
        for (NodeProcess p : List.of(n1, n2)) {
            NodeProcess.Event down = p.awaitEvent(e -> e.isDown(full("n3")) && e.nanos() > frozen, TIMEOUT);
            assertTrue(down.text().contains("(HEARTBEAT_TIMEOUT"), p.name + ": " + down.text());
            detection = Math.max(detection, ms(frozen, down.nanos()));
            cluster.awaitMembersWithout(p, "n3");
        }
        long window = JvmCluster.TICK_TIMEOUT_MS;
        assertTrue(detection >= window / 2 && detection <= window * 3 / 2 + 1000, "declared down after " + detection + " ms; window " + window);

        n3.signal("CONT");
        long resumed = System.nanoTime();
        cluster.awaitMesh(n1, n2, n3);
        long back = ms(resumed, System.nanoTime());
        // one connection per pair again: each process holds as many sockets as before the freeze
        for (NodeProcess p : List.of(n1, n2, n3)) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            int now;
            while ((now = Integer.parseInt(p.resources().get("sockets"))) != sockets.get(p)) {
                assertTrue(System.nanoTime() < deadline, p.name + " holds " + now + " sockets, " + sockets.get(p) + " before the freeze");
                Thread.sleep(100);
            }
        }
        JvmCluster.during(Duration.ofMillis(JvmCluster.REFRESH_MS * 2), () -> {
            for (NodeProcess p : List.of(n1, n2, n3)) {
                assertEquals(cluster.othersThan(p.name), p.members(), p.name);
            }
        });
        for (NodeProcess p : List.of(n1, n2)) {
            long ups = p.events().stream().filter(e -> e.nanos() > resumed && e.isUp(full("n3"))).count();
            assertEquals(1, ups, p.name + " node-up events for n3 after the resume: " + p.events());
        }
        new Figures("SIGSTOP/SIGCONT of one node of 3").put("detection.ms", detection).put("reconnect.ms", back)
                .put("tick.timeout.ms", window).put("note", "down reason HEARTBEAT_TIMEOUT; same socket count per process after resume")
                .write();
    }

    @Test
    void messagesInFlightWhenTheirReceiverDiesAreFailedToTheSenderNeverDuplicatedAndArriveInOrder() throws Exception {
        cluster = new JvmCluster("inflight", "n1", "n2");
        NodeProcess sender = cluster.start("n1");
        NodeProcess receiver = cluster.start("n2");
        cluster.awaitMesh(sender, receiver);
        receiver.send("mailbox in");
        receiver.awaitLine("OK"::equals, TIMEOUT);
        sender.send("stream n2@127.0.0.1 in 200");
        sender.awaitLine("STREAMING"::equals, TIMEOUT);
        receiver.awaitReceived("in", 2000, TIMEOUT);
        receiver.kill();
        String summary = sender.awaitLine(l -> l.startsWith("STREAM "), TIMEOUT);
        Map<String, Long> outcome = new HashMap<>();
        for (String kv : summary.substring("STREAM ".length()).split(" ")) {
            outcome.put(kv.substring(0, kv.indexOf('=')), Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
        }
        List<String> got = receiver.received("in");
        long previous = -1;
        for (String s : got) {
            long seq = Long.parseLong(s);
            assertTrue(seq > previous, "message " + seq + " after " + previous + ": out of order or twice");
            previous = seq;
        }
        assertEquals(200, outcome.get("failed"), "the sender was told of every send that could not go: " + summary);
        assertTrue(got.size() <= outcome.get("ok"), "received " + got.size() + " of " + summary);
        assertTrue(previous < outcome.get("ok") + outcome.get("failed"), "received a message never sent: " + previous);
        new Figures("messages in flight when the receiver is killed -9").put("sent.ok", outcome.get("ok"))
                .put("received", got.size()).put("failed", outcome.get("failed"))
                .put("lost.in.flight", outcome.get("ok") - got.size())
                .put("note", "received strictly in order, none twice; every send after the loss failed to the sender;"
                        + " 'lost' = queued before the loss was seen, or received but not reported before the kill")
                .write();
    }
}
