package io.gencluster.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hears of nodes going up and down (and, when asked for, of nodes discovered and lost).
 *
 * <p>In OSGi, register an instance as a service (whiteboard); the runtime delivers every node up
 * and node down of the cluster to every such service, and the other types to those whose service
 * property {@value ClusterEvent#TYPES_PROPERTY} names them. A {@link Dist} also delivers its events to the listeners
 * added with {@link Dist#addListener(ClusterListener)}.
 *
 * <p>Events for one node arrive in the order they happened, from a single event thread. The
 * method must return quickly and must not block: a slow listener delays later events. A service
 * registered while the cluster runs first hears a node up for every node up at that point of the
 * events, then every later event: a listener builds the membership from its events alone.
 */
@ConsumerType
public interface ClusterListener {

    /** Called once per event. Exceptions thrown here are logged and otherwise ignored. */
    void clusterEvent(ClusterEvent event);
}
