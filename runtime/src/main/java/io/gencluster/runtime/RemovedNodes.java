package io.gencluster.runtime;

/** What happens to a connected node that discovery no longer reports. */
enum RemovedNodes {
    /** Stay connected, but do not reconnect once it drops: a node leaving DNS during a graceful
     * shutdown can still hand off its work. The default. */
    KEEP,
    /** Disconnect it as soon as a refresh no longer reports it. */
    DISCONNECT
}
