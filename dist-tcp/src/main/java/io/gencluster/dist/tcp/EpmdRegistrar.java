package io.gencluster.dist.tcp;

import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.EpmdException;
import io.gencluster.epmd.NoEpmdException;
import io.gencluster.epmd.NodeEntry;
import io.gencluster.epmd.PortMapper;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this node registered with the local EPMD (name → transport port, with the gen-cluster
 * marker), for as long as the transport runs. When no EPMD answers and {@code epmd.embedded} is
 * on, the node serves an embedded port mapper itself (as {@code erl} starts one), on every
 * address of the host as EPMD listens, so that other hosts can list and find its nodes (on
 * loopback only where the transport itself listens on loopback only). When the
 * registration's connection closes — EPMD restarted, or the node serving the embedded port mapper
 * died — it registers again at once, and if nobody serves the port any more, one of the nodes
 * (whichever binds first) takes it over and all re-register.
 */
final class EpmdRegistrar implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EpmdRegistrar.class.getName());
    private static final Duration EPMD_TIMEOUT = Duration.ofSeconds(2);
    /** Between attempts while nothing works; well inside a refresh interval. */
    private static final long RETRY_MS = 500;
    /** Spread of the first re-registration after a loss, so surviving nodes do not all race at once. */
    private static final long SPREAD_MS = 100;

    private final NodeEntry entry;
    private final int epmdPort;
    private final boolean embedded;
    /** Where an embedded port mapper listens; null: every address of the host. */
    private final InetAddress mapperAddress;
    private final ScheduledExecutorService timer;
    private EpmdClient.Registration registration;
    private PortMapper mapper;
    private String lastProblem;
    private boolean closed;

    EpmdRegistrar(String name, int distPort, int epmdPort, boolean embedded, InetAddress mapperAddress,
            ScheduledExecutorService timer) {
        this.entry = NodeEntry.genCluster(name, distPort);
        this.epmdPort = epmdPort;
        this.embedded = embedded;
        this.mapperAddress = mapperAddress;
        this.timer = timer;
    }

    void start() {
        timer.execute(this::attempt);
    }

    private synchronized void attempt() {
        if (closed || (registration != null && registration.isActive())) {
            return;
        }
        EpmdClient local = new EpmdClient(InetAddress.getLoopbackAddress().getHostAddress(), epmdPort, EPMD_TIMEOUT);
        try {
            registration = local.register(entry, this::lost);
            LOG.log(Level.INFO, "registered {0} with the port mapper on port {1,number,#}{2}", entry, epmdPort, mapper != null ? " (served here)" : "");
            lastProblem = null;
            return;
        } catch (EpmdException e) {
            if (embedded && mapper == null && e instanceof NoEpmdException) {
                try {
                    mapper = PortMapper.start(mapperAddress, epmdPort);
                    timer.execute(this::attempt);
                    return;
                } catch (IOException bindFailed) {
                    // another node took the port first: register with it on the next attempt
                }
            }
            problem(e.getMessage());
        } catch (IOException e) {
            problem(e.getMessage());
        }
        timer.schedule(this::attempt, RETRY_MS, TimeUnit.MILLISECONDS);
    }

    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            LOG.log(Level.WARNING, "cannot register {0} with the port mapper on port {1,number,#}: {2}; retrying every {3,number,#} ms",
                    entry.name, epmdPort, message, RETRY_MS);
            lastProblem = message;
        }
    }

    private void lost() {
        synchronized (this) {
            if (closed) {
                return;
            }
            LOG.log(Level.WARNING, "registration of {0} with the port mapper on port {1,number,#} was lost; registering again", entry.name, epmdPort);
        }
        try {
            timer.schedule(this::attempt, ThreadLocalRandom.current().nextLong(SPREAD_MS), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // the transport is closing
        }
    }

    /** Whether this node serves the port mapper. */
    synchronized boolean servesPortMapper() {
        return mapper != null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (registration != null) {
            registration.close();
        }
        if (mapper != null) {
            mapper.close();
        }
    }
}
