package io.gencluster.discovery.kit;

import io.gencluster.api.Peer;
import java.lang.System.Logger.Level;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Key {@value #KEY}: at most that many peers of one strategy's answer, the first ones in the order
 * the strategy gives (a stable order, so that every refresh keeps the same ones). That the answer
 * was cut is logged once when it starts and again only when the answer's size changes; its end
 * once. One limit per strategy instance: it remembers what it last logged.
 */
public final class PeerLimit {

    public static final String KEY = "max.peers";
    public static final int DEFAULT = 1024;

    private final int max;
    private final System.Logger log;
    private int loggedOver; // the answer size last logged as over the limit; 0 while within it

    /** @throws IllegalArgumentException naming the key and value when {@code max} is below 1 */
    public PeerLimit(int max, System.Logger log) {
        if (max < 1) {
            throw new IllegalArgumentException("key '" + KEY + "' has invalid value '" + max
                    + "': must be at least 1 (the most peers one answer may give; default " + DEFAULT + ")");
        }
        this.max = max;
        this.log = log;
    }

    public int max() {
        return max;
    }

    /**
     * The first {@link #max()} of {@code ordered}.
     *
     * @param answered how many nodes the answer held: at least {@code ordered.size()}, more when the
     *     strategy stopped reading the answer once it had enough
     * @param what who answered, with its verb, e.g. {@code "DNS name x answered"}
     */
    public synchronized Set<Peer> keep(List<Peer> ordered, int answered, String what) {
        int size = Math.max(answered, ordered.size());
        if (size > max) {
            if (size != loggedOver) {
                log.log(Level.WARNING, String.format(Locale.ROOT, "%s %,d nodes; using the first %d (%s)", what, size, max, KEY));
                loggedOver = size;
            }
        } else if (loggedOver != 0) {
            log.log(Level.INFO, String.format(Locale.ROOT, "%s %,d nodes, within %s (%d) again", what, size, KEY, max));
            loggedOver = 0;
        }
        return new LinkedHashSet<>(ordered.subList(0, Math.min(max, ordered.size())));
    }
}
