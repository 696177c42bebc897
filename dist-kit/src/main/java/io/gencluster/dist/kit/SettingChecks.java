package io.gencluster.dist.kit;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The checks a transport's settings make, each refusal an {@link IllegalArgumentException} that
 * names the configuration key and the value, so that an operator reading the log knows which
 * line of which file to fix.
 */
public final class SettingChecks {

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

    /** A copy of {@code cookie}, refused when empty: an empty cookie is no secret. */
    public static byte[] cookie(byte[] cookie) {
        if (cookie == null || cookie.length == 0) {
            throw invalid("cookie", "", "must not be empty");
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
