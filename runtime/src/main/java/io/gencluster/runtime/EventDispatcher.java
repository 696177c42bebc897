package io.gencluster.runtime;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import io.gencluster.api.NodeName;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Delivers events to the whiteboard {@link ClusterListener}s on one thread of its own, in order,
 * so a slow listener never stalls the refresh loop. The queue is bounded: when listeners fall
 * {@value #CAPACITY} events behind, further events are dropped and that is logged. Each listener
 * receives only the types it subscribed to ({@link ClusterEvent#TYPES_PROPERTY}).
 *
 * <p>A listener {@linkplain #subscribe subscribed} while the cluster runs first hears a NODE_UP
 * for every node up at that point of the stream of events, then every later event: what it
 * knows of the membership is what the others were told, whenever it came. Read from the live
 * membership instead, its start could miss a node whose NODE_UP was still queued, or see one
 * whose NODE_DOWN was.
 */
final class EventDispatcher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventDispatcher.class.getName());
    static final int CAPACITY = 10_000;
    /** What a listener that names no types gets: what every listener got before there were more. */
    static final Set<ClusterEvent.Type> DEFAULT_TYPES = EnumSet.of(ClusterEvent.Type.NODE_UP, ClusterEvent.Type.NODE_DOWN);

    /** A listener and the event types it receives. */
    record Subscriber(ClusterListener listener, Set<ClusterEvent.Type> types) {

        /**
         * Reads the {@link ClusterEvent#TYPES_PROPERTY} value of a listener's service: absent = up
         * and down; {@code *} = all; names of unknown types (from a later api) are ignored.
         */
        static Subscriber of(ClusterListener listener, Object typesProperty) {
            if (typesProperty == null) {
                return new Subscriber(listener, DEFAULT_TYPES);
            }
            List<String> names = typesProperty instanceof String[] ? Arrays.asList((String[]) typesProperty)
                    : typesProperty instanceof java.util.Collection<?> c ? c.stream().map(String::valueOf).toList()
                    : Arrays.asList(typesProperty.toString().split("[,\\s]+"));
            Set<ClusterEvent.Type> types = EnumSet.noneOf(ClusterEvent.Type.class);
            for (String n : names) {
                String name = n.trim().toUpperCase(Locale.ROOT);
                if (name.equals("*")) {
                    return new Subscriber(listener, EnumSet.allOf(ClusterEvent.Type.class));
                }
                Arrays.stream(ClusterEvent.Type.values()).filter(t -> t.name().equals(name)).forEach(types::add);
            }
            return new Subscriber(listener, types);
        }
    }

    private final List<Subscriber> listeners;
    private final ThreadPoolExecutor thread;
    private final Set<NodeName> up = new TreeSet<>(); // as told to the listeners so far; the event thread only
    private final Object subscriptions = new Object(); // guards pending against the listeners' list
    private final Map<ClusterListener, Subscriber> pending = new HashMap<>(); // subscribed, not yet told who is up

    EventDispatcher(List<Subscriber> listeners) {
        this.listeners = listeners;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(CAPACITY), r -> {
            Thread t = new Thread(r, "gencluster-events");
            t.setDaemon(true);
            return t;
        });
    }

    void dispatch(ClusterEvent event) {
        try {
            thread.execute(() -> {
                if (event.type() == ClusterEvent.Type.NODE_UP) {
                    up.add(event.node());
                } else if (event.type() == ClusterEvent.Type.NODE_DOWN) {
                    up.remove(event.node());
                }
                for (Subscriber s : listeners) {
                    deliver(s, event);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "cluster listeners are " + CAPACITY + " events behind; dropped {0}", event);
        }
    }

    /**
     * Adds a listener: on the event thread, it first hears a NODE_UP for each node up so far (if it
     * takes NODE_UP), then every later event. Any thread.
     */
    void subscribe(Subscriber s) {
        ClusterListener listener = s.listener();
        synchronized (subscriptions) {
            pending.put(listener, s);
        }
        try {
            thread.execute(() -> {
                Subscriber latest;
                synchronized (subscriptions) {
                    latest = pending.get(listener);
                }
                if (latest == null) {
                    return; // unsubscribed meanwhile
                }
                Instant now = Instant.now();
                for (NodeName node : up) {
                    deliver(latest, ClusterEvent.nodeUp(node, now));
                }
                join(listener); // its types may have changed during the replay
            });
        } catch (RejectedExecutionException e) { // closed, or far behind: no replay, as before
            join(listener);
        }
    }

    /** Moves a waiting subscription, as its types are now, to the listeners; none if unsubscribed meanwhile. */
    private void join(ClusterListener listener) {
        synchronized (subscriptions) {
            Subscriber latest = pending.remove(listener);
            if (latest != null) {
                listeners.add(latest);
            }
        }
    }

    /**
     * New types for a subscribed listener, from its next event on; one whose subscription still
     * waits for its turn gets them from its first. Any thread.
     */
    void update(Subscriber s) {
        synchronized (subscriptions) {
            if (pending.containsKey(s.listener())) {
                pending.put(s.listener(), s);
            } else {
                listeners.replaceAll(old -> old.listener() == s.listener() ? s : old);
            }
        }
    }

    /** Removes a listener now: it hears nothing more, not even the nodes up if it had not yet. Any thread. */
    void unsubscribe(ClusterListener listener) {
        synchronized (subscriptions) {
            pending.remove(listener);
            listeners.removeIf(s -> s.listener() == listener);
        }
    }

    private static void deliver(Subscriber s, ClusterEvent event) {
        if (!s.types().contains(event.type())) {
            return;
        }
        try {
            s.listener().clusterEvent(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cluster listener " + s.listener() + " failed on " + event, e);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
