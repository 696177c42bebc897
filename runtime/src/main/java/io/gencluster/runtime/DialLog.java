package io.gencluster.runtime;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import java.lang.System.Logger.Level;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * What the loop logs of nodes discovered, lost, not dialled and failing to connect, summarised so
 * that the log grows with changes, not with the size of the cluster or the number of refreshes.
 * A few nodes are named one line each; beyond {@value #MAX_NAMED}, one line gives the count and
 * names the first few. Failed connects are gathered for {@link #SUMMARY_DELAY} (nodes dialled
 * together fail together): while few nodes fail, each change of a node's error is one line naming
 * it; beyond that, the failures are summarised by cause, one line each time the number of failing
 * nodes or the set of causes changes: 300 peers that refuse connections make one line, not one per
 * peer per attempt. Every attempt is still logged at DEBUG, and each node's last error is in its
 * {@code NodeState}.
 *
 * <p>Loop thread only.
 */
final class DialLog {

    private static final System.Logger LOG = System.getLogger(RefreshLoop.class.getName());
    /** Up to this many nodes are logged one line each; more make one line with a count. */
    static final int MAX_NAMED = 5;
    /** How many nodes a summary line names per cause. */
    static final int NAMES_PER_CAUSE = 3;
    /** How long failed connects are gathered before a summary is logged. */
    static final Duration SUMMARY_DELAY = Duration.ofSeconds(1);

    private final Scheduler loop;
    private final IntSupplier discoveredCount;
    /** The nodes whose last connect failed, with the cause; in the order they first failed. */
    private final Map<NodeName, String> failing = new LinkedHashMap<>();
    /** Lines naming a node whose error changed, written at the next summary if few nodes fail. */
    private final Map<NodeName, String> named = new LinkedHashMap<>();
    private Scheduler.Timer summary;
    /** Failures are summarised (a summary was logged) until none is left. */
    private boolean summarising;
    /** What the last summary said, so that the same state is not logged twice. */
    private String lastSummary = "";

    /** @param discoveredCount how many nodes discovery reports now, for the summaries */
    DialLog(Scheduler loop, IntSupplier discoveredCount) {
        this.loop = loop;
        this.discoveredCount = discoveredCount;
    }

    /** Peers discovered for the first time in this round. */
    void discovered(List<Peer> peers) {
        if (peers.size() <= MAX_NAMED) {
            peers.forEach(p -> LOG.log(Level.INFO, "node discovered {0}", p));
        } else {
            LOG.log(Level.INFO, "{0} nodes discovered: {1}", peers.size(), names(peers, MAX_NAMED));
        }
    }

    /** Nodes no longer discovered as of this round; {@code stillConnected} those of them connected. */
    void lost(List<NodeName> nodes, List<NodeName> stillConnected) {
        nodes.forEach(n -> {
            failing.remove(n);
            named.remove(n);
        });
        if (nodes.size() <= MAX_NAMED) {
            nodes.forEach(n -> LOG.log(Level.INFO, "node lost {0}: no longer discovered{1}", n,
                    stillConnected.contains(n) ? " (still connected)" : ""));
        } else {
            LOG.log(Level.INFO, "{0} nodes lost: no longer discovered ({1} still connected): {2}", nodes.size(),
                    stillConnected.size(), names(nodes, MAX_NAMED));
        }
        changed();
    }

    /** Peers newly found to speak {@code transport}, which this node's transport {@code own} does not. */
    void notDialled(String transport, String own, List<Peer> peers) {
        if (!peers.isEmpty()) {
            LOG.log(Level.WARNING, "not dialling {0} discovered node(s) that speak {1}, not this node''s {2}: {3}",
                    peers.size(), transport, own, names(peers, MAX_NAMED));
        }
    }

    /**
     * A connect to {@code node} failed; it is retried after {@code next}. Named on a line of its
     * own while few nodes fail, and only when its error changed; counted in a summary otherwise.
     */
    void connectFailed(NodeName node, String error, boolean sameAsBefore, int attempt, Duration next) {
        boolean known = failing.put(node, cause(error)) != null;
        String line = MessageFormat.format("cannot connect to {0}: {1}; attempt {2}, next in {3,number,#} ms",
                node, error, attempt, next.toMillis());
        LOG.log(Level.DEBUG, line);
        if (!known || !sameAsBefore) {
            named.put(node, line);
            changed();
        }
    }

    /** {@code node} connected, or is no longer tried: it counts as failing no more. */
    void settled(NodeName node) {
        named.remove(node);
        if (failing.remove(node) != null && summarising) {
            changed();
        }
    }

    /** Cancels a pending summary: the loop stops. */
    void close() {
        if (summary != null) {
            summary.cancel();
            summary = null;
        }
    }

    private void changed() {
        if (summary == null && (summarising || !named.isEmpty())) {
            summary = loop.schedule(this::summarise, SUMMARY_DELAY);
        }
    }

    private void summarise() {
        summary = null;
        if (!summarising && failing.size() <= MAX_NAMED) {
            named.values().forEach(line -> LOG.log(Level.WARNING, line));
            named.clear();
            return;
        }
        named.clear();
        if (failing.isEmpty()) {
            if (summarising) {
                LOG.log(Level.INFO, "no discovered node is failing to connect any more");
            }
            summarising = false;
            lastSummary = "";
            return;
        }
        String state = failing.size() + " " + new TreeSet<>(failing.values());
        if (state.equals(lastSummary)) {
            return;
        }
        lastSummary = state;
        summarising = true;
        Map<String, List<NodeName>> byCause = new TreeMap<>();
        failing.forEach((node, cause) -> byCause.computeIfAbsent(cause, c -> new ArrayList<>()).add(node));
        String causes = byCause.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size())
                .map(e -> e.getKey() + ": " + e.getValue().size() + ", e.g. " + names(e.getValue(), NAMES_PER_CAUSE))
                .collect(Collectors.joining("; "));
        LOG.log(Level.WARNING, "cannot connect to {0} of {1} discovered node(s) ({2}); each retried with backoff",
                failing.size(), Math.max(failing.size(), discoveredCount.getAsInt()), causes);
    }

    /**
     * What a failure has in common with others of its kind: the text after the error's last
     * {@code ": "}, as the transports put the node and address first ("cannot connect to a@h at
     * 127.0.0.1:4370: Connection refused").
     */
    static String cause(String error) {
        int colon = error.lastIndexOf(": ");
        String tail = colon < 0 ? error : error.substring(colon + 2);
        return tail.isBlank() ? error : tail;
    }

    private static String names(List<?> items, int max) {
        String shown = items.stream().limit(max).map(Object::toString).collect(Collectors.joining(", "));
        return items.size() > max ? shown + ", ... (" + (items.size() - max) + " more)" : shown;
    }
}
