package io.gencluster.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys of a configuration that no setting of its PID has: most likely typos
 * ({@code refresh.intervall.ms}), which would otherwise leave the default running without a word.
 * Each is named with the known key nearest to it. Keys that frameworks and tools add
 * ({@code service.pid}, {@code felix.fileinstall.filename}, {@code component.*}) and DS reference
 * targets ({@code *.target}) are not settings and never reported.
 */
final class UnknownKeys {

    private UnknownKeys() {
    }

    /** One sentence per unknown key of {@code given}, in key order; empty when all are known. */
    static List<String> describe(String pid, Set<String> known, Set<String> given) {
        List<String> out = new ArrayList<>();
        for (String key : unknown(known, given)) {
            out.add(describe(pid, key, known));
        }
        return out;
    }

    /** The keys of {@code given} that are no setting, in key order. */
    static Set<String> unknown(Set<String> known, Set<String> given) {
        Set<String> out = new TreeSet<>();
        for (String key : given) {
            if (!known.contains(key) && !notASetting(key)) {
                out.add(key);
            }
        }
        return out;
    }

    /** What an operator needs to know of one unknown key: it is ignored, and which setting was likely meant. */
    static String describe(String pid, String key, Set<String> known) {
        String nearest = nearest(key, known);
        return pid + ": '" + key + "' is not a setting of " + pid + " and is ignored"
                + (nearest == null ? "; its settings are " + new TreeSet<>(known) : "; did you mean '" + nearest + "'?");
    }

    private static boolean notASetting(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.")
                || key.startsWith("osgi.") || key.endsWith(".target") || key.startsWith(".");
    }

    /** The known key closest in edits, when it is close enough to be what was meant. */
    static String nearest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : new TreeSet<>(known)) {
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    /** Levenshtein distance, two rows. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
