package io.gencluster.shell;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Typed text as the bytes a transport carries: UTF-8 for this project's own transport, and for
 * dist-erlang, whose payloads are Erlang terms, one binary term in external term format
 * ({@code term_to_binary(<<"text"/utf8>>)}: version byte 131, BINARY_EXT 109, a 4-byte big-endian
 * length, the UTF-8 bytes), which an Erlang process receives as {@code <<"text">>}.
 */
final class TextPayload {

    /** The value of dist-erlang's {@code gencluster.dist} service property. */
    static final String ERLANG = "erlang";
    private static final int VERSION = 131;
    private static final int BINARY_EXT = 109;

    private TextPayload() {
    }

    /** {@code text} for a Messenger of {@code transport} (its {@code gencluster.dist}; null: not known, UTF-8). */
    static byte[] encode(String text, String transport) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (!ERLANG.equals(transport)) {
            return utf8;
        }
        return ByteBuffer.allocate(6 + utf8.length).put((byte) VERSION).put((byte) BINARY_EXT).putInt(utf8.length).put(utf8)
                .array();
    }

    /** How {@link #encode} wrote the text, for the command's answer. */
    static String describe(String transport) {
        return ERLANG.equals(transport) ? "text as an Erlang binary" : "text as UTF-8";
    }
}
