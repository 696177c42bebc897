package io.gencluster.epmd;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.osgi.annotation.versioning.ProviderType;

/** What EPMD knows of one registered name (a PORT2_RESP, or an ALIVE2 registration). */
@ProviderType
public final class NodeEntry {

    /** The ALIVE2 "extra" field dist-tcp nodes send, telling them apart from Erlang nodes. */
    public static final byte[] GENCLUSTER_MARKER = "gen-cluster/1".getBytes(StandardCharsets.US_ASCII);

    /** Node type of a normal Erlang node. */
    public static final int NORMAL = 77; // 'M'
    /** Node type of a hidden node, a C node or a foreign node: dist-tcp nodes register as this. */
    public static final int HIDDEN = 72; // 'H'

    public final String name;
    public final int port;
    public final int nodeType;
    public final int protocol;
    public final int highestVersion;
    public final int lowestVersion;
    private final byte[] extra;

    public NodeEntry(String name, int port, int nodeType, int protocol, int highestVersion, int lowestVersion, byte[] extra) {
        this.name = name;
        this.port = port;
        this.nodeType = nodeType;
        this.protocol = protocol;
        this.highestVersion = highestVersion;
        this.lowestVersion = lowestVersion;
        this.extra = extra.clone();
    }

    /** An entry for a node speaking gen-cluster's own protocol (dist-tcp): hidden, TCP, carrying the gen-cluster marker. */
    public static NodeEntry genCluster(String name, int port) {
        return new NodeEntry(name, port, HIDDEN, 0, 6, 6, GENCLUSTER_MARKER);
    }

    /**
     * An entry for a node speaking Erlang's distribution protocol, as an Erlang node registers:
     * hidden or normal, TCP, version 6 only, no marker (it is not a dist-tcp node).
     */
    public static NodeEntry erlang(String name, int port, boolean hidden) {
        return new NodeEntry(name, port, hidden ? HIDDEN : NORMAL, 0, 6, 6, new byte[0]);
    }

    public byte[] extra() {
        return extra.clone();
    }

    /** Whether the node registered with the gen-cluster marker. */
    public boolean isGenCluster() {
        return Arrays.equals(extra, GENCLUSTER_MARKER);
    }

    @Override
    public String toString() {
        return name + " at port " + port + " (type " + (char) nodeType + (isGenCluster() ? ", gen-cluster" : "") + ")";
    }
}
