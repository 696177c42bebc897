package io.gencluster.epmd;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps one node registered with the EPMD of its own host (name → listen port) for as long as its
 * transport runs, and registers it again whenever the registration's connection closes: EPMD
 * restarted, or the node serving an embedded port mapper died. While it cannot register, it
 * retries, logging each new problem once.
 *
 * <p>A node may serve the port mapper itself ({@link #genClusterNode} with {@code embedded}): when
 * no EPMD answers, it starts a {@link PortMapper} on the EPMD port, as {@code erl} starts
 * {@code epmd -daemon}, and registers with that. When the node serving it dies, the others see
 * their registrations close; each tries again after a random delay below {@value #SPREAD_MS} ms,
 * so they do not all race at once, one of them binds the port first and serves it, and all
 * register with it.
 *
 * <p>Threads: attempts run on the given timer (the first one of {@link #register()} on the
 * caller's thread), each bounded by the EPMD timeout; a lost registration is noticed on the
 * client's watch thread. Shutting the timer down after {@link #close()} is the owner's job.
 */
@ProviderType
public final class EpmdRegistrar implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EpmdRegistrar.class.getName());
    private static final Duration EPMD_TIMEOUT = Duration.ofSeconds(2);
    /** A dist-tcp node's retry interval: well inside a refresh interval, so a takeover is quick. */
    static final long GEN_CLUSTER_RETRY_MS = 500;
    /** An Erlang-protocol node's retry interval: every 2 s, as OTP's {@code erl_epmd} retries. */
    static final long ERLANG_RETRY_MS = 2000;
    /** Spread of a dist-tcp node's first attempt after a loss. */
    static final long SPREAD_MS = 100;

    private final NodeEntry entry;
    private final int epmdPort;
    private final long retryMs;
    private final long spreadMs;
    private final boolean embedded;
    /** Where an embedded port mapper listens; null: every address of the host. */
    private final InetAddress mapperAddress;
    private final ScheduledExecutorService timer;
    private EpmdClient.Registration registration;
    private PortMapper mapper;
    private String lastProblem;
    private boolean closed;

    private EpmdRegistrar(NodeEntry entry, int epmdPort, long retryMs, long spreadMs, boolean embedded,
            InetAddress mapperAddress, ScheduledExecutorService timer) {
        this.entry = entry;
        this.epmdPort = epmdPort;
        this.retryMs = retryMs;
        this.spreadMs = spreadMs;
        this.embedded = embedded;
        this.mapperAddress = mapperAddress;
        this.timer = timer;
    }

    /**
     * A dist-tcp node: registered with the gen-cluster marker, retried every
     * {@value #GEN_CLUSTER_RETRY_MS} ms.
     *
     * @param embedded whether to serve a port mapper when no EPMD answers on {@code epmdPort}
     * @param mapperAddress where that port mapper listens; null: every address of the host, as EPMD
     *     listens, so that other hosts can list and find this host's nodes
     */
    public static EpmdRegistrar genClusterNode(String name, int distPort, int epmdPort, boolean embedded,
            InetAddress mapperAddress, ScheduledExecutorService timer) {
        return new EpmdRegistrar(NodeEntry.genCluster(name, distPort), epmdPort, GEN_CLUSTER_RETRY_MS, SPREAD_MS,
                embedded, mapperAddress, timer);
    }

    /**
     * A node speaking Erlang's distribution protocol, registered as an Erlang node would be (see
     * {@link NodeEntry#erlang}), retried every {@value #ERLANG_RETRY_MS} ms; it never serves a
     * port mapper, as Erlang nodes start {@code epmd} themselves.
     */
    public static EpmdRegistrar erlangNode(String name, int distPort, boolean hidden, int epmdPort,
            ScheduledExecutorService timer) {
        return new EpmdRegistrar(NodeEntry.erlang(name, distPort, hidden), epmdPort, ERLANG_RETRY_MS, 0, false, null, timer);
    }

    /** Registers on the timer, from now on: returns at once. */
    public void start() {
        schedule(0);
    }

    /**
     * Registers now, on this thread; from then on as {@link #start()} does.
     *
     * @return the creation EPMD gave, or 0 when it could not register (it keeps trying on the timer)
     */
    public synchronized long register() {
        if (tryRegister()) {
            return registration.creation;
        }
        schedule(retryMs);
        return 0;
    }

    private synchronized void attempt() {
        if (closed || (registration != null && registration.isActive())) {
            return;
        }
        if (!tryRegister()) {
            schedule(retryMs);
        }
    }

    /**
     * One ALIVE2, and a second one when no port mapper answered and this node either started the
     * embedded one or lost the race to start it to another node (then that node's serves now);
     * whether the node is now registered.
     */
    private boolean tryRegister() {
        return tryRegister(embedded);
    }

    private boolean tryRegister(boolean mayServe) {
        try {
            registration = new EpmdClient(InetAddress.getLoopbackAddress().getHostAddress(), epmdPort, EPMD_TIMEOUT)
                    .register(entry, this::lost);
            LOG.log(Level.INFO, "registered {0} with EPMD on port {1,number,#}{2}", entry, epmdPort,
                    mapper != null ? " (served here)" : "");
            lastProblem = null;
            return true;
        } catch (NoEpmdException e) {
            if (mayServe && mapper == null) {
                serveEmbedded();
                return tryRegister(false);
            }
            problem(e.getMessage());
        } catch (IOException e) {
            problem(e.getMessage());
        }
        return false;
    }

    private void serveEmbedded() {
        try {
            mapper = PortMapper.start(mapperAddress, epmdPort);
        } catch (IOException bindFailed) {
            // another node took the port first: it serves the port mapper, register with it
        }
    }

    private void problem(String message) {
        String m = String.valueOf(message);
        if (!m.equals(lastProblem)) {
            LOG.log(Level.WARNING, "cannot register {0} with EPMD on port {1,number,#}: {2}; other nodes cannot look"
                    + " it up there until it can (retrying every {3,number,#} ms)", entry.name, epmdPort, m, retryMs);
            lastProblem = m;
        }
    }

    private void lost() {
        synchronized (this) {
            if (closed) {
                return;
            }
            LOG.log(Level.WARNING, "registration of {0} with EPMD on port {1,number,#} was lost; registering again",
                    entry.name, epmdPort);
        }
        schedule(spreadMs == 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadMs));
    }

    private void schedule(long delayMs) {
        try {
            timer.schedule(this::attempt, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the transport is closing
        }
    }

    /** Whether this node serves the port mapper. */
    public synchronized boolean servesPortMapper() {
        return mapper != null;
    }

    /** Unregisters, and stops serving the port mapper if this node served it. */
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
