package io.gencluster.discovery.epmdall;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.discovery.kit.PeerLimit;
import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Every node registered with the EPMD of each configured host: name
 * {@code N} with port {@code P} on host {@code H} becomes peer {@code N@H:P}, the host written as
 * configured ({@code localhost} meaning this node's own host). Only gen-cluster nodes are kept
 * unless {@code include.foreign}: each name's PORT_PLEASE2 reply carries the marker our nodes
 * register with, and each peer carries the transport its node speaks ({@link #transportOf}), so
 * that a transport does not dial nodes it cannot talk to. A host whose EPMD cannot be asked is logged once per change of state and keeps
 * its last known peers, so one port mapper that cannot be reached makes none of its nodes look
 * gone; only when every host fails does the whole discovery fail.
 *
 * <p>At most {@code max.peers} peers: each host's names are asked in name order and no more
 * PORT_PLEASE2 requests are sent to a host once one more than that many of its nodes are kept
 * (foreign names do not count unless asked for); the hosts' union
 * is cut to the first {@code max.peers} (hosts in the order configured). A cut is logged once when
 * it starts and again only when the count changes.
 */
public final class EpmdAllDiscovery implements Discovery {

    private static final System.Logger LOG = System.getLogger(EpmdAllDiscovery.class.getName());
    /** The transport of dist-tcp nodes, as their Dist service's {@code gencluster.dist} names it. */
    static final String TCP = "tcp";
    /** The transport of nodes speaking Erlang's distribution protocol, as dist-erlang's Dist names it. */
    static final String ERLANG = "erlang";

    private final List<String> hosts;
    private final int epmdPort;
    private final Duration timeout;
    private final boolean includeForeign;
    private final Supplier<String> ownHost;
    private final PeerLimit limit;
    private final Map<String, Set<Peer>> lastByHost = new HashMap<>();
    private final Map<String, String> failing = new HashMap<>();

    /**
     * @param hosts hosts to ask, never empty; {@code localhost} stands for {@code ownHost}
     * @param ownHost the host part of this node's name; may return null while no transport runs
     */
    public EpmdAllDiscovery(List<String> hosts, int epmdPort, Duration timeout, boolean includeForeign, Supplier<String> ownHost) {
        this(hosts, epmdPort, timeout, includeForeign, ownHost, PeerLimit.DEFAULT);
    }

    /**
     * @param maxPeers the most peers given, at least 1
     * @throws IllegalArgumentException naming the key and value of an invalid argument
     */
    public EpmdAllDiscovery(List<String> hosts, int epmdPort, Duration timeout, boolean includeForeign, Supplier<String> ownHost,
            int maxPeers) {
        this.limit = new PeerLimit(maxPeers, LOG);
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("key 'hosts' has invalid value '': at least one host is needed (localhost = this node's host)");
        }
        this.hosts = List.copyOf(hosts);
        this.epmdPort = epmdPort;
        this.timeout = timeout;
        this.includeForeign = includeForeign;
        this.ownHost = ownHost;
    }

    /**
     * The discovery a configuration describes; a number that could not be converted is reported
     * with its raw text from {@code raw}.
     *
     * @throws IllegalArgumentException naming the key and value of the first invalid setting
     */
    static EpmdAllDiscovery of(EpmdAllDiscoveryConfig c, Map<String, ?> raw, Supplier<String> ownHost) {
        List<String> hosts = Arrays.stream(c.hosts()).flatMap(v -> Arrays.stream(v.split("[,\\s]+")))
                .filter(s -> !s.isEmpty()).toList();
        int port = EpmdClient.portOrDefault(number("epmd.port", c::epmd_port, raw));
        if (port < 1 || port > 65535) {
            throw invalid("epmd.port", port, "must be a port number, or -1 for ERL_EPMD_PORT / 4369");
        }
        long timeout = number("timeout.ms", c::timeout_ms, raw);
        if (timeout <= 0) {
            throw invalid("timeout.ms", timeout, "must be a positive number of milliseconds");
        }
        return new EpmdAllDiscovery(hosts, port, Duration.ofMillis(timeout), c.include_foreign(), ownHost,
                number(PeerLimit.KEY, c::max_peers, raw));
    }

    private static IllegalArgumentException invalid(String key, Object value, String why) {
        return new IllegalArgumentException("key '" + key + "' has invalid value '" + value + "': " + why);
    }

    private static <T> T number(String key, Supplier<T> value, Map<String, ?> raw) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw invalid(key, raw.get(key), "expected a whole number");
        }
    }

    @Override
    public synchronized Set<Peer> peers() throws DiscoveryException {
        Set<Peer> peers = new LinkedHashSet<>();
        int listed = 0; // nodes the hosts listed, for the log when there are more than max.peers
        int failed = 0;
        StringBuilder errors = new StringBuilder();
        for (String configured : hosts) {
            String host = configured.equalsIgnoreCase("localhost") ? ownHost.get() : configured;
            if (host == null) {
                throw new DiscoveryException("this node's host is not known yet (no transport): cannot expand 'localhost'");
            }
            try {
                Answer answer = ask(host);
                Set<Peer> found = answer.peers;
                listed += answer.listed;
                lastByHost.put(host, found);
                if (failing.remove(host) != null) {
                    LOG.log(Level.INFO, "EPMD on {0} answers again: {1} node(s)", host, found.size());
                }
                peers.addAll(found);
            } catch (IOException e) {
                failed++;
                errors.append(errors.length() == 0 ? "" : "; ").append(e.getMessage());
                if (failing.put(host, e.getMessage()) == null) {
                    LOG.log(Level.WARNING, "EPMD on {0} cannot be asked: {1}; keeping its {2} last known node(s)",
                            host, e.getMessage(), lastByHost.getOrDefault(host, Set.of()).size());
                }
                peers.addAll(lastByHost.getOrDefault(host, Set.of()));
                listed += lastByHost.getOrDefault(host, Set.of()).size();
            }
        }
        if (failed == hosts.size()) {
            throw new DiscoveryException(errors.toString());
        }
        return limit.keep(List.copyOf(peers), listed, "EPMD on " + String.join(", ", hosts) + " listed");
    }

    /** One host's peers, at most max.peers, and how many nodes it listed (all its names once cut). */
    private record Answer(Set<Peer> peers, int listed) {
    }

    private Answer ask(String host) throws IOException {
        EpmdClient epmd = new EpmdClient(host, epmdPort, timeout);
        Set<Peer> found = new LinkedHashSet<>();
        Set<String> names = new TreeSet<>(epmd.names().keySet()); // name order: the same ones kept at every refresh
        for (String name : names) {
            if (found.size() > limit.max()) {
                // one more than max.peers proves the cut: no PORT_PLEASE2 for the rest
                return new Answer(found, names.size());
            }
            // NAMES tells no node type: each name's PORT_PLEASE2 says which transport its node speaks
            NodeEntry entry = epmd.portPlease(name);
            if (entry == null || (!includeForeign && !entry.isGenCluster())) {
                continue; // gone since NAMES, or an Erlang node not asked for
            }
            try {
                found.add(Peer.of(NodeName.of(name, host), entry.port).withTransport(transportOf(entry)));
            } catch (IllegalArgumentException invalid) {
                // EPMD accepts names no node name can hold (spaces, '@'): such a node is not reachable by name
                LOG.log(Level.DEBUG, "EPMD on {0} lists ''{1}'', not a valid node name; skipped", host, name);
            }
        }
        return new Answer(found, found.size());
    }

    /**
     * {@value #TCP} for a node registered with the gen-cluster marker (dist-tcp), else
     * {@value #ERLANG}: Erlang nodes, C nodes and dist-erlang nodes all speak Erlang's
     * distribution protocol. The names are those the transports register their Dist services with.
     */
    static String transportOf(NodeEntry entry) {
        return entry.isGenCluster() ? TCP : ERLANG;
    }

    @Override
    public String toString() {
        return "EPMD discovery of " + hosts + " (port " + epmdPort + (includeForeign ? ", foreign nodes included" : "")
                + (limit.max() == PeerLimit.DEFAULT ? "" : ", max.peers " + limit.max()) + ")";
    }
}
