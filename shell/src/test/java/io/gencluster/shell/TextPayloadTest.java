package io.gencluster.shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.Messenger;
import io.gencluster.erlang.ErlBinary;
import io.gencluster.erlang.TermCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Text typed into cluster:send, as each transport carries it. */
class TextPayloadTest {

    @Test
    void throughDistErlangTextIsOneErlangBinaryTermThatItsCodecReads() throws Exception {
        byte[] payload = TextPayload.encode("héllo wörld", "erlang");
        assertEquals(ErlBinary.of("héllo wörld".getBytes(StandardCharsets.UTF_8)), TermCodec.decode(payload));
        assertArrayEquals(new byte[] {(byte) 131, 109, 0, 0, 0, 2, 'h', 'i'}, TextPayload.encode("hi", "erlang"));
    }

    @Test
    void otherwiseTextIsUtf8() {
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), TextPayload.encode("héllo", "tcp"));
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), TextPayload.encode("héllo", null));
    }

    @Test
    void sendOnADistErlangNodeQueuesAnErlangBinaryAndSaysSo() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        Messenger erlang = (node, mailbox, payload, maxWait) -> {
            try {
                TermCodec.decode(payload); // what dist-erlang checks before it sends: one term, or refused
            } catch (io.gencluster.erlang.TermFormatException e) {
                throw new io.gencluster.api.MessagingException("not one term: " + e.getMessage());
            }
            sent.add(payload);
        };
        ClusterCommands commands = new ClusterCommands(() -> null, () -> null, () -> erlang, () -> "erlang", Clock.systemUTC());
        assertEquals("queued 11 bytes (text as an Erlang binary) for mailbox inbox on erl@h; delivery is not confirmed:"
                + " a mailbox nobody handles there drops it\n", commands.send("erl@h", "inbox", "hello"));
        assertEquals(ErlBinary.of("hello".getBytes(StandardCharsets.UTF_8)), TermCodec.decode(sent.get(0)));
    }
}
