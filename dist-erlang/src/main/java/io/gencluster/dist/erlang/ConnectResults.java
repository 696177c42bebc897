package io.gencluster.dist.erlang;

import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.NodeEvents;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The callers of {@link ErlangDist#connect} waiting for a node, and what they are told: each waits
 * at most its own timeout; all of a node's complete on the event thread once it is connected, or
 * fail together when the dial does. A refusal is logged once per change of reason, not on every
 * retry of the runtime, until the node connects.
 */
final class ConnectResults {

    private static final System.Logger LOG = System.getLogger(ConnectResults.class.getName());

    private final NodeEvents events;
    private final ScheduledExecutorService timer;
    private final Map<NodeName, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private final Map<NodeName, String> lastRefusal = new ConcurrentHashMap<>();

    ConnectResults(NodeEvents events, ScheduledExecutorService timer) {
        this.events = events;
        this.timer = timer;
    }

    /** A result for a caller waiting for {@code node}, failed when the node is not up within {@code timeout}. */
    CompletableFuture<Void> waiter(NodeName node, Duration timeout) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        waiters.computeIfAbsent(node, n -> new CopyOnWriteArrayList<>()).add(result);
        timer.schedule(() -> {
            if (result.completeExceptionally(new IOException("timed out after " + timeout.toMillis() + " ms connecting to " + node))) {
                List<CompletableFuture<Void>> ws = waiters.get(node);
                if (ws != null) {
                    ws.remove(result);
                }
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return result;
    }

    /** {@code node} is connected: its waiters succeed, after the NODE_UP emitted before this call. */
    void connected(NodeName node) {
        lastRefusal.remove(node);
        List<CompletableFuture<Void>> ws = waiters.remove(node);
        if (ws != null) {
            ws.forEach(w -> events.settle(w, null));
        }
    }

    void failed(NodeName node, IOException e) {
        List<CompletableFuture<Void>> ws = waiters.remove(node);
        if (ws != null) {
            ws.forEach(w -> events.settle(w, e));
        }
    }

    /** Whether callers still wait for {@code node}. */
    boolean waiting(NodeName node) {
        List<CompletableFuture<Void>> ws = waiters.get(node);
        return ws != null && ws.stream().anyMatch(w -> !w.isDone());
    }

    /** Every waiter fails with {@code e}: the transport is closing. */
    void failAll(IOException e) {
        new ArrayList<>(waiters.keySet()).forEach(n -> failed(n, e));
    }

    /** Logged once per change of reason, not on every retry of the runtime. */
    void refused(NodeName node, RefusedException e) {
        if (!e.getMessage().equals(lastRefusal.put(node, e.getMessage()))) {
            LOG.log(Level.WARNING, "{0}", e.getMessage());
        }
    }
}
