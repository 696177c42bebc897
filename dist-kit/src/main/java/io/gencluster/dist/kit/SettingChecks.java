package io.gencluster.dist.kit;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The checks a transport's settings make, each refusal an {@link IllegalArgumentException} that
 * names the configuration key and the value, so that an operator reading the log knows which
 * line of which file to fix.
 */
public final class SettingChecks {

    /**
     * The smallest {@code mailbox.queue.bytes}, 64 KiB: a smaller budget is more likely a number
     * of MiB written as bytes than a plan, and would deliver large messages one at a time.
     */
    public static final int LEAST_MAILBOX_BYTES = 64 * 1024;

    private SettingChecks() {
    }

    /** A refusal of {@code value} for {@code key}, saying {@code why}. */
    public static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key '" + key + "' has invalid value '" + value + "': " + why);
    }

    /**
     * A typed value of a component's configuration type; one that DS (or a plain-Java node)
     * could not convert throws when read, and is refused here with the text it was given.
     *
     * @param raw the configuration as given, by key, where the unconverted text is
     */
    public static <T> T number(String key, Supplier<T> value, Map<String, Object> raw) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw invalid(key, raw.get(key), "expected a whole number");
        }
    }

    /** {@code value}, refused when less than {@code least}. */
    public static int atLeast(String key, int value, int least) {
        if (value < least) {
            throw invalid(key, value, "must be at least " + least);
        }
        return value;
    }

    /** {@code value}, refused when it is no port number (1 to 65535). */
    public static int portNumber(String key, int value) {
        if (value < 1 || value > 65535) {
            throw invalid(key, value, "must be a port number");
        }
        return value;
    }

    /**
     * The fewest bytes a cookie has, 16: with fewer, a cookie a person chose can be found by trying
     * a word list against one recorded handshake. Generated cookies have more (see
     * {@link CookieFile}).
     */
    public static final int LEAST_COOKIE_BYTES = 16;

    /**
     * A copy of {@code cookie}, refused when empty (an empty cookie is no secret) or, unless
     * {@code allowShort}, shorter than {@link #LEAST_COOKIE_BYTES}. The refusal names the key and
     * the length, never the cookie.
     */
    public static byte[] cookie(byte[] cookie, boolean allowShort) {
        if (cookie == null || cookie.length == 0) {
            throw invalid("cookie", "", "must not be empty");
        }
        if (!allowShort && cookie.length < LEAST_COOKIE_BYTES) {
            throw new IllegalArgumentException("key 'cookie' (or the file of 'cookie.file') holds a cookie of " + cookie.length
                    + " bytes, fewer than " + LEAST_COOKIE_BYTES + ": a short cookie can be guessed offline."
                    + " Use a longer one (e.g. 32 random hex digits), or set 'cookie.allow.short = true' (unsafe: tests and labs only)");
        }
        return cookie.clone();
    }

    /**
     * {@code sendQueueBytes}, refused when it cannot hold one frame of {@code maxFrameBytes} and
     * the {@code overhead} bytes a transport writes around it: a sender of such a frame would
     * wait for room that never comes.
     */
    public static int holdsOneFrame(int sendQueueBytes, int maxFrameBytes, int overhead) {
        if (sendQueueBytes < maxFrameBytes + overhead) {
            throw invalid("send.queue.bytes", sendQueueBytes, "must hold at least one frame of max.frame.bytes (" + maxFrameBytes + ")");
        }
        return sendQueueBytes;
    }
}
