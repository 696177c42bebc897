package io.gencluster.discovery.dns;

import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.discovery.dns.DnsSettings.HostType;
import io.gencluster.discovery.dns.DnsSettings.RecordType;
import io.gencluster.discovery.kit.PeerLimit;
import io.gencluster.spi.Discovery;
import io.gencluster.spi.DiscoveryException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Discovers peers from DNS, the Kubernetes way: a headless Service answers one A (or AAAA) record
 * per ready pod, and each address becomes {@code basename@address}; an SRV answer becomes
 * {@code basename@target} with the record's port. SRV priority and weight are ignored: every
 * target is a peer.
 *
 * <p>An error is not an empty answer: NXDOMAIN, SERVFAIL, a timeout or a record that does not
 * make a node name throws {@link DiscoveryException} with the reason, and the runtime keeps the
 * last peers, so a DNS server that cannot answer for a moment makes no node look gone. Only
 * NOERROR without records of the type is an empty set. Every lookup goes to the server (no
 * cache), so a pod that left is gone at the next refresh.
 *
 * <p>An answer of more than {@code max.peers} nodes gives the first {@code max.peers} by address
 * (SRV: by target, then port), so every refresh keeps the same ones whatever order a server
 * rotates its records in; addresses and targets past the limit are never looked up further. Each
 * answer is one DNS message, at most 64 KiB (dnsjava reads UDP into a buffer of the size it
 * offered, and TCP by the message's 16-bit length), so about 4,000 A records at most.
 */
public final class DnsDiscovery implements Discovery {

    private static final System.Logger LOG = System.getLogger(DnsDiscovery.class.getName());
    /** IPv4 before IPv6, then by address bytes: a stable order, whatever order the server answers in. */
    private static final Comparator<InetAddress> BY_ADDRESS = Comparator.<InetAddress>comparingInt(a -> a.getAddress().length)
            .thenComparing(InetAddress::getAddress, Arrays::compareUnsigned);
    private static final Comparator<SRVRecord> BY_TARGET = Comparator.<SRVRecord, Name>comparing(SRVRecord::getTarget)
            .thenComparingInt(SRVRecord::getPort);

    private final DnsSettings settings;
    private final PeerLimit limit;
    private final Supplier<String> ownName;
    private final Resolver resolver;
    private final List<Name> searchPath;
    private final int ndots;

    /**
     * @param ownName this node's name part, asked at each lookup when no basename is configured
     *     (it may come from a transport that starts later); may return null while unknown
     */
    public DnsDiscovery(DnsSettings settings, Supplier<String> ownName) {
        this(settings, ownName, resolver(settings));
    }

    /** With the resolver given: the answer handling on its own, for tests and fuzzing. */
    DnsDiscovery(DnsSettings settings, Supplier<String> ownName, Resolver resolver) {
        this.settings = settings;
        this.ownName = ownName;
        this.resolver = resolver;
        this.limit = new PeerLimit(settings.maxPeers, LOG);
        ResolverConfig system = ResolverConfig.getCurrentConfig();
        List<Name> path = new ArrayList<>();
        if (settings.search.isEmpty()) {
            path.addAll(system.searchPath());
        } else {
            for (String s : settings.search) {
                path.add(name(s, "search"));
            }
        }
        this.searchPath = List.copyOf(path);
        this.ndots = system.ndots();
    }

    private static Resolver resolver(DnsSettings settings) {
        List<Resolver> resolvers = new ArrayList<>();
        List<InetSocketAddress> servers = settings.servers.isEmpty() ? ResolverConfig.getCurrentConfig().servers() : settings.servers;
        for (InetSocketAddress s : servers) {
            resolvers.add(simple(s));
        }
        ExtendedResolver r = new ExtendedResolver(resolvers);
        r.setTimeout(settings.timeout);
        r.setRetries(1);
        return r;
    }

    private static Resolver simple(InetSocketAddress server) {
        try {
            InetSocketAddress resolved = server.isUnresolved()
                    ? new InetSocketAddress(InetAddress.getByName(server.getHostString()), server.getPort()) : server;
            return new SimpleResolver(resolved);
        } catch (UnknownHostException e) {
            throw DnsSettings.invalid("servers", server.getHostString(), "does not resolve");
        }
    }

    private static Name name(String text, String key) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw DnsSettings.invalid(key, text, e.getMessage());
        }
    }

    @Override
    public Set<Peer> peers() throws DiscoveryException {
        String base = settings.basename.isEmpty() ? ownName.get() : settings.basename;
        if (base == null || base.isEmpty()) {
            throw new DiscoveryException("no basename: set 'basename', or run a transport so this node's own name is known");
        }
        int max = limit.max();
        Set<Peer> peers = new LinkedHashSet<>();
        int answered;
        if (settings.recordType == RecordType.SRV) {
            List<SRVRecord> targets = new ArrayList<>();
            for (Record r : lookup(settings.domain, Type.SRV, true)) {
                targets.add(as(SRVRecord.class, r));
            }
            targets.sort(BY_TARGET);
            // each target gives at least one peer: targets past max.peers are never resolved
            for (SRVRecord srv : targets.subList(0, Math.min(max, targets.size()))) {
                String target = text(srv.getTarget());
                if (settings.hostType == HostType.HOSTNAME) {
                    peers.add(peer(base, target, srv.getPort(), srv));
                } else {
                    // an SRV target is a host name: with host.type=ip each of its addresses is a peer
                    for (InetAddress a : addresses(target)) {
                        peers.add(peer(base, HostText.of(a), srv.getPort(), srv));
                    }
                }
            }
            answered = Math.max(targets.size(), peers.size());
        } else {
            int type = settings.recordType == RecordType.A ? Type.A : Type.AAAA;
            Map<InetAddress, Record> byAddress = new TreeMap<>(BY_ADDRESS);
            for (Record r : lookup(settings.domain, type, true)) {
                InetAddress a = type == Type.A ? as(ARecord.class, r).getAddress() : as(AAAARecord.class, r).getAddress();
                byAddress.putIfAbsent(a, r);
            }
            answered = byAddress.size();
            for (Map.Entry<InetAddress, Record> e : byAddress.entrySet()) {
                if (peers.size() == max) {
                    break; // the rest are cut: no PTR lookups for them
                }
                InetAddress a = e.getKey();
                String host = settings.hostType == HostType.IP ? HostText.of(a) : reverse(a);
                peers.add(peer(base, host, settings.port, e.getValue()));
            }
        }
        return limit.keep(List.copyOf(peers), answered, "DNS name " + settings.domain + " answered");
    }

    private List<InetAddress> addresses(String host) throws DiscoveryException {
        List<InetAddress> out = new ArrayList<>();
        for (Record r : lookup(host, Type.A, false)) {
            out.add(as(ARecord.class, r).getAddress());
        }
        if (out.isEmpty()) {
            for (Record r : lookup(host, Type.AAAA, false)) {
                out.add(as(AAAARecord.class, r).getAddress());
            }
        }
        if (out.isEmpty()) {
            throw new DiscoveryException("SRV target " + host + " has no A or AAAA record");
        }
        out.sort(BY_ADDRESS);
        return out;
    }

    private String reverse(InetAddress a) throws DiscoveryException {
        Record[] ptr = run(new Lookup(ReverseMap.fromAddress(a), Type.PTR), "PTR of " + a.getHostAddress(), true);
        if (ptr.length == 0) {
            throw new DiscoveryException("no PTR record for " + HostText.of(a) + " (host.type=hostname needs one per address)");
        }
        return text(as(PTRRecord.class, ptr[0]).getTarget());
    }

    private Record[] lookup(String domain, int type, boolean search) throws DiscoveryException {
        Lookup lookup;
        try {
            lookup = new Lookup(domain, type);
        } catch (TextParseException e) {
            throw new DiscoveryException("cannot look up '" + domain + "': " + e.getMessage());
        }
        if (search) {
            lookup.setSearchPath(searchPath);
            lookup.setNdots(ndots);
        } else {
            lookup.setSearchPath((List<Name>) null);
        }
        return run(lookup, Type.string(type) + " " + domain, false);
    }

    private Record[] run(Lookup lookup, String what, boolean emptyIsFine) throws DiscoveryException {
        lookup.setResolver(resolver);
        lookup.setCache(new Cache()); // fresh per lookup: a pod that left must be gone at the next refresh
        Record[] records;
        try {
            records = lookup.run();
        } catch (RuntimeException e) {
            throw new DiscoveryException(what + ": unreadable answer: " + e, e);
        }
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL:
                return records == null ? new Record[0] : records;
            case Lookup.TYPE_NOT_FOUND:
                return new Record[0]; // NOERROR, no records of this type: an empty answer
            case Lookup.HOST_NOT_FOUND:
                if (emptyIsFine) {
                    return new Record[0];
                }
                throw new DiscoveryException(what + ": NXDOMAIN (no such name)");
            case Lookup.TRY_AGAIN:
                throw new DiscoveryException(what + ": " + lookup.getErrorString() + " (server failure or timeout)");
            default:
                throw new DiscoveryException(what + ": " + lookup.getErrorString());
        }
    }

    /**
     * The record as its type's class. A record of the right type but without data (length 0)
     * decodes as dnsjava's EmptyRecord: such an answer fails this refresh with a message naming
     * the record, and the next refresh asks again.
     */
    private static <R extends Record> R as(Class<R> type, Record r) throws DiscoveryException {
        if (!type.isInstance(r)) {
            throw new DiscoveryException("record '" + r + "' (" + Type.string(r.getType()) + ") has no usable data");
        }
        return type.cast(r);
    }

    private static Peer peer(String base, String host, int port, Record from) throws DiscoveryException {
        try {
            NodeName node = NodeName.of(base, host);
            return port == 0 ? Peer.of(node) : Peer.of(node, port);
        } catch (IllegalArgumentException e) {
            throw new DiscoveryException("record '" + from + "' does not make a node name: " + e.getMessage());
        }
    }

    private static String text(Name name) {
        String s = name.toString(true); // without the trailing dot
        return s;
    }

    @Override
    public String toString() {
        return "DNS discovery (" + settings + ")";
    }
}
