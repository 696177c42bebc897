package io.gencluster.membershiplog;

import io.gencluster.api.NodeName;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Prints what mailbox {@value #MAILBOX} receives, one line per message, so a message sent from one
 * node ({@code cluster:send b@h inbox hello}) can be seen on another without writing code:
 *
 * <pre>
 * message to inbox from a@127.0.0.1: hello
 * </pre>
 *
 * The payload is shown as UTF-8 text, control characters escaped (a peer cannot drive the
 * terminal), cut after {@value #MAX_CHARS} characters. Through dist-erlang a payload is an Erlang
 * term (version byte 131 first, which no UTF-8 text starts with): a binary or a string is shown as
 * its text, as {@code cluster:send} on a dist-erlang node and {@code {inbox, Node} ! <<"hi">>} or
 * {@code ! "hi"} in Erlang send it; any other term as its size. At most {@value #MAX_LINES_PER_SECOND}
 * lines a second: beyond that messages are counted, and the count is printed with the next line
 * shown, so no peer can flood the console. Thread-safe.
 */
public final class InboxPrinter {

    public static final String MAILBOX = "inbox";
    static final int MAX_CHARS = 200;
    static final int MAX_LINES_PER_SECOND = 20;

    private final PrintStream out;
    private final LongSupplier millis;
    private long windowStart = Long.MIN_VALUE;
    private int linesInWindow;
    private long notShown;

    public InboxPrinter(PrintStream out, LongSupplier millis) {
        this.out = out;
        this.millis = millis;
    }

    public synchronized void message(NodeName from, byte[] payload) {
        long now = millis.getAsLong();
        if (windowStart == Long.MIN_VALUE || now - windowStart >= 1000) {
            windowStart = now;
            linesInWindow = 0;
        }
        if (linesInWindow >= MAX_LINES_PER_SECOND) {
            notShown++;
            return;
        }
        linesInWindow++;
        String skipped = notShown == 0 ? "" : " (" + notShown + " more message(s) to " + MAILBOX + " not shown)";
        notShown = 0;
        out.println("message to " + MAILBOX + " from " + from + ": " + text(payload) + skipped);
        out.flush();
    }

    /** The payload as one printable line: UTF-8, control characters escaped, long ones cut. */
    static String text(byte[] payload) {
        String s = erlangText(payload);
        if (s == null) {
            return "(an Erlang term of " + payload.length + " bytes)";
        }
        StringBuilder b = new StringBuilder();
        int shown = Math.min(s.length(), MAX_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (shown < s.length()) {
            b.append("... (").append(payload.length).append(" bytes)");
        }
        return b.toString();
    }

    private static final int ETF_VERSION = 131;
    private static final int STRING_EXT = 107;
    private static final int BINARY_EXT = 109;

    /**
     * The payload's text: a UTF-8 payload as it is; an Erlang binary (BINARY_EXT: 4-byte length)
     * as UTF-8, an Erlang string (STRING_EXT: 2-byte length, one byte per character) as Latin-1;
     * null for any other Erlang term.
     */
    private static String erlangText(byte[] p) {
        if (p.length == 0 || (p[0] & 0xff) != ETF_VERSION) {
            return new String(p, StandardCharsets.UTF_8);
        }
        ByteBuffer b = ByteBuffer.wrap(p, 1, p.length - 1);
        if (b.remaining() >= 5 && (b.get() & 0xff) == BINARY_EXT && b.getInt() == b.remaining()) {
            return new String(p, 6, p.length - 6, StandardCharsets.UTF_8);
        }
        b.position(1);
        if (b.remaining() >= 3 && (b.get() & 0xff) == STRING_EXT && (b.getShort() & 0xffff) == b.remaining()) {
            return new String(p, 4, p.length - 4, StandardCharsets.ISO_8859_1);
        }
        return null;
    }
}
