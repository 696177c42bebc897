package io.gencluster.dist.tcp;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hosts whose port mapper accepted a PORT_PLEASE2 but did not answer it (no reply within the
 * timeout, closed or reset without one, or an unreadable one), so that dials to their nodes fall
 * back on {@code peer.port}: each host is logged once when it starts and once when its mapper
 * answers again, not at every dial. At most {@value #MAX_HOSTS} hosts are remembered; past that,
 * a further host still falls back, without its own line.
 */
final class SilentPortMappers {

    static final int MAX_HOSTS = 1024;

    private static final System.Logger LOG = System.getLogger(TcpDist.class.getName());

    private final Map<String, String> silent = new ConcurrentHashMap<>();

    /** The mapper on {@code host} did not answer for {@code reason}; dials go to {@code peerPort}. */
    void fallingBack(String host, int epmdPort, String reason, int peerPort) {
        if (silent.size() >= MAX_HOSTS || silent.putIfAbsent(host, reason) != null) {
            return;
        }
        LOG.log(Level.WARNING, "port mapper on {0}:{1} did not answer ({2}); dialling its nodes at peer.port {3}"
                + " until it answers", host, String.valueOf(epmdPort), reason, String.valueOf(peerPort));
    }

    /** The mapper on {@code host} answered. */
    void answered(String host, int epmdPort) {
        if (!silent.isEmpty() && silent.remove(host) != null) {
            LOG.log(Level.INFO, "port mapper on {0}:{1} answers again", host, String.valueOf(epmdPort));
        }
    }
}
