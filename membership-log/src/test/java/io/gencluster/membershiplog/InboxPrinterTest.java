package io.gencluster.membershiplog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gencluster.api.NodeName;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InboxPrinterTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InboxPrinter printer = new InboxPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get);
    private final NodeName a = NodeName.parse("a@127.0.0.1");

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aMessageIsOneLineNamingTheSender() {
        printer.message(a, "hello from a".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("message to inbox from a@127.0.0.1: hello from a"), lines());
    }

    @Test
    void controlCharactersAreEscapedAndLongTextIsCut() {
        printer.message(a, "bell\u0007 esc\u001b[2J\nnext".getBytes(StandardCharsets.UTF_8));
        printer.message(a, "x".repeat(500).getBytes(StandardCharsets.UTF_8));
        List<String> out = lines();
        assertEquals("message to inbox from a@127.0.0.1: bell\\u0007 esc\\u001b[2J\\nnext", out.get(0));
        assertEquals("message to inbox from a@127.0.0.1: " + "x".repeat(200) + "... (500 bytes)", out.get(1));
    }

    @Test
    void aFloodIsCountedNotPrinted() {
        for (int i = 0; i < 1000; i++) {
            printer.message(a, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(InboxPrinter.MAX_LINES_PER_SECOND, lines().size());
        now.addAndGet(1000);
        printer.message(a, "after".getBytes(StandardCharsets.UTF_8));
        List<String> out = lines();
        assertEquals("message to inbox from a@127.0.0.1: after (980 more message(s) to inbox not shown)", out.get(out.size() - 1));
    }

    @Test
    void anErlangBinaryOrStringIsShownAsItsTextAndAnyOtherTermAsItsSize() {
        byte[] hi = "héllo".getBytes(StandardCharsets.UTF_8);
        byte[] binary = java.nio.ByteBuffer.allocate(6 + hi.length).put((byte) 131).put((byte) 109).putInt(hi.length).put(hi).array();
        printer.message(a, binary); // cluster:send on a dist-erlang node, or {inbox, Node} ! <<"héllo"/utf8>>
        printer.message(a, new byte[] {(byte) 131, 107, 0, 2, 'h', 'i'}); // {inbox, Node} ! "hi"
        printer.message(a, new byte[] {(byte) 131, 100, 0, 2, 'o', 'k'}); // the atom ok
        assertEquals(List.of("message to inbox from a@127.0.0.1: héllo", "message to inbox from a@127.0.0.1: hi",
                "message to inbox from a@127.0.0.1: (an Erlang term of 6 bytes)"), lines());
    }
}
