package io.gencluster.discovery.staticpeers;

import io.gencluster.api.Peer;
import io.gencluster.spi.Discovery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A fixed list of nodes, for a cluster whose members are known before it starts.
 *
 * <p>Entries are {@code name@host} or {@code name@host:port}; one configuration value may also hold
 * several entries separated by commas or white space, because a {@code .cfg} file gives a list as
 * one string. An invalid entry is reported by name and skipped; the rest still work.
 */
public final class StaticDiscovery implements Discovery {

    private final Set<Peer> peers;
    private final List<String> rejected;

    public StaticDiscovery(Iterable<String> entries) {
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
        this.peers = Collections.unmodifiableSet(found);
        this.rejected = Collections.unmodifiableList(bad);
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
