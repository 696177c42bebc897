package io.gencluster.epmd;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * EPMD replies (from any host a node asks) and requests (to the embedded port mapper): every
 * parser accepts the bytes or fails with an EpmdException / IOException naming the problem,
 * never anything else. Regression mode runs the committed inputs in mvn verify; JAZZER_FUZZ=1
 * fuzzes (see README).
 */
class EpmdFuzzTest {

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void namesRepliesParseOrFail(byte[] reply) {
        try {
            EpmdCodec.parseNamesResponse(reply, "h");
        } catch (EpmdException expected) {
            // malformed
        }
    }

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void port2RepliesParseOrFail(byte[] reply) {
        try {
            EpmdCodec.parsePort2Response(reply, "n");
        } catch (EpmdException expected) {
            // malformed
        }
    }

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void alive2RepliesParseOrFail(byte[] reply) {
        try {
            EpmdCodec.readAlive2Response(new ByteArrayInputStream(reply), "n");
        } catch (IOException expected) {
            // refused, malformed or truncated
        }
    }

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void portMapperRequestsParseOrFail(byte[] request) {
        try {
            byte[] body = EpmdCodec.readRequest(new DataInputStream(new ByteArrayInputStream(request)));
            if (Byte.toUnsignedInt(body[0]) == EpmdCodec.ALIVE2_REQ) {
                EpmdCodec.parseAlive2Request(body);
            }
        } catch (IOException expected) {
            // malformed or truncated: the port mapper closes the connection
        }
    }
}
