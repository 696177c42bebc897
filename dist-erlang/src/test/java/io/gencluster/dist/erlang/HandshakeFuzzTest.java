package io.gencluster.dist.erlang;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gencluster.api.NodeName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Whatever a dialling or a dialled node sends during the handshake, either role completes or
 * fails with an IOException naming the problem, never anything else.
 */
class HandshakeFuzzTest {

    private static final Handshake NODE = new Handshake(NodeName.parse("java@127.0.0.1"),
            "cookie".getBytes(StandardCharsets.UTF_8), DistFlags.ours(false), 7, new Random(1));

    // both answers reachable from the input
    private static final Handshake.Arbiter OK = initiator -> initiator.name().length() % 2 == 0 ? "ok" : "alive";

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void acceptorSurvivesAnyBytes(byte[] bytes) {
        try {
            NODE.accept(new DataInputStream(new ByteArrayInputStream(bytes)), new DataOutputStream(new ByteArrayOutputStream()), OK);
        } catch (IOException expected) {
            // refused or truncated: the connection is closed with that reason
        }
    }

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void initiatorSurvivesAnyBytes(byte[] bytes) {
        try {
            NODE.initiate(new DataInputStream(new ByteArrayInputStream(bytes)), new DataOutputStream(new ByteArrayOutputStream()),
                    NodeName.parse("e1@127.0.0.1"), () -> false);
        } catch (IOException expected) {
            // refused or truncated
        }
    }
}
