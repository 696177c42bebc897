package io.gencluster.discovery.staticpeers;

import io.gencluster.api.Peer;
import io.gencluster.discovery.kit.PeerLimit;
import io.gencluster.spi.Discovery;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A fixed list of nodes, for a cluster whose members are known before it starts.
 *
 * <p>Entries are {@code name@host} or {@code name@host:port}; one configuration value may also hold
 * several entries separated by commas or white space, because a {@code .cfg} file gives a list as
 * one string. An invalid entry is reported by name and skipped; the rest still work. A list of more
 * than {@code max.peers} nodes gives the first {@code max.peers} as listed, and says so once.
 */
public final class StaticDiscovery implements Discovery {

    private static final System.Logger LOG = System.getLogger(StaticDiscovery.class.getName());

    private final Set<Peer> peers;
    private final List<String> rejected;

    /** The listed nodes, at most {@value PeerLimit#DEFAULT}. */
    public StaticDiscovery(Iterable<String> entries) {
        this(entries, PeerLimit.DEFAULT, "static discovery");
    }

    /**
     * @param maxPeers the most nodes given, the first ones as listed
     * @param source what the list is, for the log: its configuration's PID
     * @throws IllegalArgumentException naming key {@code max.peers} and its value when below 1
     */
    public StaticDiscovery(Iterable<String> entries, int maxPeers, Object source) {
        PeerLimit limit = new PeerLimit(maxPeers, LOG);
        Set<Peer> found = new LinkedHashSet<>();
        List<String> bad = new ArrayList<>();
        for (String value : entries) {
            if (value == null) {
                continue;
            }
            for (String entry : value.trim().split("[,\\s]+")) {
                if (entry.isEmpty()) {
                    continue;
                }
                try {
                    found.add(Peer.parse(entry));
                } catch (IllegalArgumentException e) {
                    bad.add(e.getMessage());
                }
            }
        }
        // the list is fixed: cut and said once, here, not at every refresh
        this.peers = Collections.unmodifiableSet(limit.keep(List.copyOf(found), found.size(), "static list " + source + " has"));
        this.rejected = Collections.unmodifiableList(bad);
    }

    /**
     * The list a configuration describes, each rejected entry logged at ERROR; a {@code max.peers}
     * below 1 is logged at ERROR and the default used, as the list itself never fails.
     */
    static StaticDiscovery of(StaticDiscoveryConfig config, Object pid) {
        List<String> entries = Arrays.asList(config.nodes());
        StaticDiscovery discovery;
        try {
            discovery = new StaticDiscovery(entries, config.max_peers(), pid);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "{0}: {1}; using {2}", pid, e.getMessage(), PeerLimit.DEFAULT);
            discovery = new StaticDiscovery(entries, PeerLimit.DEFAULT, pid);
        }
        for (String problem : discovery.rejected()) {
            LOG.log(Level.ERROR, "{0}: key ''nodes'': skipping {1}", pid, problem);
        }
        return discovery;
    }

    /** The configured peers; never fails, as the list is fixed. */
    @Override
    public Set<Peer> peers() {
        return peers;
    }

    /** One message per entry that was skipped, naming the entry and what is wrong with it. */
    public List<String> rejected() {
        return rejected;
    }
}
