package io.gencluster.dist.tcp.wire;

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
 * Bytes from the network: whatever a peer sends during the handshake or after it, the decoders
 * either accept it or fail with an IOException that names the problem, never anything else (no
 * runtime exception, no unbounded allocation). Regression mode runs the committed inputs in
 * mvn verify; JAZZER_FUZZ=1 fuzzes (see README).
 */
class WireFuzzTest {

    private static final Handshake ACCEPTOR = new Handshake(NodeName.parse("b@127.0.0.1"),
            "secret".getBytes(StandardCharsets.UTF_8), new Random(1));

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void handshakeAcceptorSurvivesAnyBytes(byte[] bytes) {
        try {
            BlockingWire.accept(ACCEPTOR, new DataInputStream(new ByteArrayInputStream(bytes)),
                    new DataOutputStream(new ByteArrayOutputStream()), initiator -> { }, 4370);
        } catch (IOException expected) {
            // refused or truncated: the connection is closed with that reason
        }
    }

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void handshakeInitiatorSurvivesAnyBytes(byte[] bytes) {
        try {
            BlockingWire.initiate(ACCEPTOR, new DataInputStream(new ByteArrayInputStream(bytes)),
                    new DataOutputStream(new ByteArrayOutputStream()), NodeName.parse("a@127.0.0.1"), 4370);
        } catch (IOException expected) {
            // refused or truncated
        }
    }

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void framesAfterTheHandshakeAreBounded(byte[] bytes) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            while (true) {
                FrameCodec.Frame f = BlockingWire.read(in, 1 << 16);
                if (f.type == FrameCodec.DATA) {
                    FrameCodec.getString(f.payload);
                } else if (f.type == FrameCodec.MEMBERS) {
                    int count = Short.toUnsignedInt(FrameCodec.getShort(f.payload));
                    for (int i = 0; i < count; i++) {
                        FrameCodec.getString(f.payload);
                        FrameCodec.getShort(f.payload);
                    }
                }
            }
        } catch (IOException expected) {
            // end of input, or a protocol error that closes the connection
        }
    }
}
