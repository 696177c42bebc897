package io.gencluster.runtime;

import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import java.lang.System.Logger.Level;
import java.util.Set;

/**
 * What the loop knows of one bound discovery service: its last answer and whether it is failing.
 * Touched only on the loop thread.
 */
final class DiscoverySource {

    private static final System.Logger LOG = System.getLogger(RefreshLoop.class.getName());

    final String key;
    final String name;
    Discovery discovery;
    Set<Peer> lastPeers = Set.of();
    /** A call has not returned yet; a source is never asked twice at once (the api promises that). */
    boolean inFlight;
    private String failing; // null = healthy

    DiscoverySource(String key, String name, Discovery discovery) {
        this.key = key;
        this.name = name;
        this.discovery = discovery;
    }

    void succeeded(Set<Peer> peers) {
        if (failing != null) {
            LOG.log(Level.INFO, "discovery {0} recovered: {1} peer(s)", name, peers.size());
            failing = null;
        }
        lastPeers = peers;
    }

    /** Logged when the source starts failing only: one line per state change, never per refresh. */
    void failed(String why) {
        if (failing == null) {
            // a failure is not an empty answer: the cluster does not forget this source's nodes
            LOG.log(Level.WARNING, "discovery {0} failing: {1}; keeping its {2} last known peer(s)", name, why,
                    lastPeers.size());
        }
        failing = why;
    }
}
