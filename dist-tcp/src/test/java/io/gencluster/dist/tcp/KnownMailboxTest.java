package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection reads every DATA frame's mailbox as named, however long the name and wherever a
 * name of the same length differs from the last one: the word-by-word comparison with the last
 * name misses no byte, in a direct read buffer and in a heap one.
 */
class KnownMailboxTest {

    @Test
    void everyNameIsReadAsSentWhicheverByteDiffersFromTheLast() throws Exception {
        List<String> names = new ArrayList<>();
        for (int length = 1; length <= 40; length++) {
            String base = "abcdefghijklmnopqrstuvwxyz0123456789ABCD".substring(0, length);
            for (int differs = 0; differs < length; differs++) {
                names.add(base);
                names.add(base); // the same name again: taken from the last one
                names.add(base.substring(0, differs) + '_' + base.substring(differs + 1)); // one byte differs
            }
        }
        names.add("boîte-aux-lettres");
        names.add("boîte-aux-lettres");
        names.add("boîte-aux-lettrez");
        for (boolean direct : new boolean[] {true, false}) {
            KnownMailbox known = new KnownMailbox();
            for (String name : names) {
                ByteBuffer payload = dataPayload(name, direct);
                assertEquals(name, known.read(payload), "direct " + direct);
                assertEquals(3 + 2 + name.getBytes(StandardCharsets.UTF_8).length, payload.position(), "the field consumed, the message left");
            }
        }
    }

    /** A DATA payload as the read buffer holds it, after a few bytes of the frame before: name field, then 3 bytes of message. */
    private static ByteBuffer dataPayload(String name, boolean direct) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = direct ? ByteBuffer.allocateDirect(64 + utf8.length) : ByteBuffer.allocate(64 + utf8.length);
        b.position(3); // not aligned: the frame before ended anywhere
        b.putShort((short) utf8.length).put(utf8).put(new byte[] {1, 2, 3});
        return b.flip().position(3);
    }
}
