package io.gencluster.dist.tcp;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads of the transport's pools (events, resolving, EPMD): daemons named after the role
 * and the node, each kept so that close can join it, since a terminated pool's last thread may
 * still be ending.
 */
final class PoolThreads {

    private final String threadTag;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    PoolThreads(String threadTag) {
        this.threadTag = threadTag;
    }

    /** Makes the threads of one role, {@code gencluster-tcp-<role>-<node>}. */
    ThreadFactory named(String role) {
        return r -> daemon(r, "gencluster-tcp-" + role + "-" + threadTag);
    }

    /** Up to {@code threads} threads, ended when idle, and a queue of at most {@code queue} tasks. */
    ThreadPoolExecutor pool(String role, int threads, int queue) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                named(role));
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    private Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.removeIf(old -> !old.isAlive()); // bounded by the pools' sizes
        threads.add(t);
        return t;
    }

    /** Every pool thread made so far that may still be alive. */
    List<Thread> all() {
        return List.copyOf(threads);
    }

    /**
     * Waits up to {@code waitMillis} in all (a handler may ignore interrupts) for {@code threads} to
     * end, except the calling thread: a listener or handler may close the node.
     */
    static void joinAll(List<Thread> threads, long waitMillis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                return;
            }
            if (t != Thread.currentThread()) {
                try {
                    t.join(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
