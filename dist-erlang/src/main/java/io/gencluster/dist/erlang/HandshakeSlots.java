package io.gencluster.dist.erlang;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * How many handshakes run at once, each on a thread of its own: at most
 * {@code handshakes.inbound.max} of nodes dialling this one, of which at most
 * {@code handshakes.per.address.max} from any one address, and, apart from them, at most
 * {@code handshakes.outbound.max} of this node's own dials. A flood of connections held open in
 * the handshake from one address thus takes a few inbound slots, never a legitimate node's from
 * another address, nor this node's dials; the threads that tick connections run no handshake.
 */
final class HandshakeSlots {

    /** Why an inbound handshake got no slot; fixed texts, counted by {@link io.gencluster.dist.kit.RefusalLog}. */
    static final String ADDRESS_FULL = "too many handshakes in progress from this address";
    static final String INBOUND_FULL = "too many inbound handshakes in progress";

    private final int inboundMax;
    private final int outboundMax;
    private final int perAddressMax;
    private final ExecutorService pool;
    private final Map<InetAddress, Integer> byAddress = new HashMap<>(); // guarded by this
    private int inbound; // guarded by this
    private int outbound; // guarded by this

    HandshakeSlots(int inboundMax, int outboundMax, int perAddressMax, String threadTag) {
        this.inboundMax = inboundMax;
        this.outboundMax = outboundMax;
        this.perAddressMax = perAddressMax;
        // threads made as needed, their number bounded by the slots (plus ones just finishing)
        this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "gencluster-erlang-handshake-" + threadTag);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code task}, the handshake of a connection from {@code from}, on a handshake thread.
     *
     * @return null when it runs; else why not ({@link #ADDRESS_FULL} or {@link #INBOUND_FULL})
     */
    String runInbound(InetAddress from, Runnable task) {
        synchronized (this) {
            if (inbound >= inboundMax) {
                return INBOUND_FULL;
            }
            int n = byAddress.getOrDefault(from, 0);
            if (n >= perAddressMax) {
                return ADDRESS_FULL;
            }
            inbound++;
            byAddress.put(from, n + 1);
        }
        if (!submit(() -> {
            try {
                task.run();
            } finally {
                endInbound(from);
            }
        })) {
            endInbound(from);
            return "the transport is closing";
        }
        return null;
    }

    /** Runs {@code task}, a dial of this node's, on a handshake thread; false when {@code handshakes.outbound.max} run already. */
    boolean runOutbound(Runnable task) {
        synchronized (this) {
            if (outbound >= outboundMax) {
                return false;
            }
            outbound++;
        }
        if (!submit(() -> {
            try {
                task.run();
            } finally {
                endOutbound();
            }
        })) {
            endOutbound();
            return false;
        }
        return true;
    }

    int outboundMax() {
        return outboundMax;
    }

    private boolean submit(Runnable r) {
        try {
            pool.execute(r);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private synchronized void endInbound(InetAddress from) {
        inbound--;
        byAddress.computeIfPresent(from, (a, n) -> n <= 1 ? null : n - 1);
    }

    private synchronized void endOutbound() {
        outbound--;
    }

    /** Stops the handshakes in progress. */
    void close() {
        pool.shutdownNow();
    }
}
