package io.gencluster.dist.kit;

/**
 * Text a peer supplied (a node name it claims, a reason it gives, a cause read off the wire)
 * made safe for one log line: control characters, CR and LF included, are written as escapes, so
 * a peer cannot forge log lines, and the text is cut at a bound, so it cannot fill the log.
 */
public final class LogText {

    /** Characters of peer-supplied text kept in a log line; the rest is cut and marked. */
    public static final int MAX_CHARS = 200;

    private LogText() {
    }

    /**
     * {@code text} with every control character (below U+0020, U+007F to U+009F, and the line and
     * paragraph separators) written as {@code \n}, {@code \r}, {@code \t} or {@code \}{@code uXXXX},
     * a backslash doubled, and at most {@link #MAX_CHARS} characters kept (then {@code …(N chars)});
     * {@code "(none)"} for null.
     */
    public static String escape(CharSequence text) {
        if (text == null) {
            return "(none)";
        }
        int n = Math.min(text.length(), MAX_CHARS);
        StringBuilder out = new StringBuilder(n + 16);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (text.length() > n) {
            out.append("…(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }
}
