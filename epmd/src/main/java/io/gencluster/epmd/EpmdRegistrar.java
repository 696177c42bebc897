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
 * <p>A real EPMD is never replaced: a node that has registered with a real one (it answers DUMP,
 * {@link EpmdClient#isRealEpmd}) does not serve a port mapper when that EPMD stops, but retries
 * with backoff (up to {@value #MAX_RETRY_MS} ms between attempts), so that the EPMD can be
 * restarted, finds its port free, and the nodes register with it again. A port mapper that
 * accepts connections but does not answer (its process stopped) delays nothing but this node's
 * registration: attempts run on the timer, never on the caller's thread except the first of
 * {@link #register()}, each bounded by the EPMD timeout, and the node registers within one
 * retry interval of the port mapper answering again.
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
    /** Longest wait between a dist-tcp node's attempts while it cannot register. */
    static final long MAX_RETRY_MS = 4000;

    private final NodeEntry entry;
    private final int epmdPort;
    private final long retryMs;
    private final long maxRetryMs;
    private final long spreadMs;
    private final boolean embedded;
    /** Where an embedded port mapper listens; null: every address of the host. */
    private final InetAddress mapperAddress;
    private final ScheduledExecutorService timer;
    private EpmdClient.Registration registration;
    private PortMapper mapper;
    private String lastProblem;
    private int failures;
    /** Whether a real EPMD (not a node's embedded port mapper) ever registered this node here. */
    private boolean realEpmdSeen;
    private boolean closed;

    private EpmdRegistrar(NodeEntry entry, int epmdPort, long retryMs, long maxRetryMs, long spreadMs, boolean embedded,
            InetAddress mapperAddress, ScheduledExecutorService timer) {
        this.entry = entry;
        this.epmdPort = epmdPort;
        this.retryMs = retryMs;
        this.maxRetryMs = maxRetryMs;
        this.spreadMs = spreadMs;
        this.embedded = embedded;
        this.mapperAddress = mapperAddress;
        this.timer = timer;
    }

    /**
     * A dist-tcp node: registered with the gen-cluster marker, retried after
     * {@value #GEN_CLUSTER_RETRY_MS} ms, backing off to {@value #MAX_RETRY_MS} ms.
     *
     * @param embedded whether to serve a port mapper when no EPMD answers on {@code epmdPort}
     * @param mapperAddress where that port mapper listens; null: every address of the host, as EPMD
     *     listens, so that other hosts can list and find this host's nodes
     */
    public static EpmdRegistrar genClusterNode(String name, int distPort, int epmdPort, boolean embedded,
            InetAddress mapperAddress, ScheduledExecutorService timer) {
        return new EpmdRegistrar(NodeEntry.genCluster(name, distPort), epmdPort, GEN_CLUSTER_RETRY_MS, MAX_RETRY_MS,
                SPREAD_MS, embedded, mapperAddress, timer);
    }

    /**
     * A node speaking Erlang's distribution protocol, registered as an Erlang node would be (see
     * {@link NodeEntry#erlang}), retried every {@value #ERLANG_RETRY_MS} ms; it never serves a
     * port mapper, as Erlang nodes start {@code epmd} themselves.
     */
    public static EpmdRegistrar erlangNode(String name, int distPort, boolean hidden, int epmdPort,
            ScheduledExecutorService timer) {
        return new EpmdRegistrar(NodeEntry.erlang(name, distPort, hidden), epmdPort, ERLANG_RETRY_MS, ERLANG_RETRY_MS, 0,
                false, null, timer);
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
        schedule(nextRetryMs());
        return 0;
    }

    private synchronized void attempt() {
        if (closed || (registration != null && registration.isActive())) {
            return;
        }
        if (!tryRegister()) {
            schedule(nextRetryMs());
        }
    }

    /** The wait before the next attempt: doubling from the retry interval with each failure in a row, up to its cap. */
    private long nextRetryMs() {
        return Math.min(maxRetryMs, retryMs << Math.min(10, Math.max(0, failures - 1)));
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
        EpmdClient client = new EpmdClient(InetAddress.getLoopbackAddress().getHostAddress(), epmdPort, EPMD_TIMEOUT);
        try {
            registration = client.register(entry, this::lost);
            LOG.log(Level.INFO, "registered {0} with EPMD on port {1,number,#}{2}", entry, epmdPort,
                    mapper != null ? " (served here)" : "");
            lastProblem = null;
            failures = 0;
            if (embedded && mapper == null && !realEpmdSeen) {
                noteRealEpmd(client);
            }
            return true;
        } catch (NoEpmdException e) {
            if (mayServe && mapper == null && !realEpmdSeen) {
                serveEmbedded();
                return tryRegister(false);
            }
            problem(realEpmdSeen ? e.getMessage() + "; a real EPMD served this port before, so this node does not"
                    + " serve one in its place (it could not restart): start EPMD again" : e.getMessage());
        } catch (IOException e) {
            problem(e.getMessage() + (e.getMessage() != null && e.getMessage().contains("did not answer")
                    ? "; it accepts connections but does not answer (is its process stopped?): this node runs and"
                    + " connects regardless, and registers once it answers" : ""));
        }
        failures++;
        return false;
    }

    /** Asks whether a real EPMD answered: then this node never serves the port in its place. */
    private void noteRealEpmd(EpmdClient client) {
        try {
            realEpmdSeen = client.isRealEpmd();
        } catch (IOException notNow) {
            return; // asked again at the next registration
        }
        if (realEpmdSeen) {
            LOG.log(Level.INFO, "a real EPMD serves port {0,number,#}: should it stop, this node will not serve a port"
                    + " mapper in its place, so that it can be restarted", epmdPort);
        }
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
                    + " it up there until it can (retrying every {3,number,#} to {4,number,#} ms)", entry.name, epmdPort, m,
                    retryMs, maxRetryMs);
            lastProblem = m;
        }
    }

    private void lost() {
        synchronized (this) {
            if (closed || (registration != null && registration.isActive())) {
                return; // a loss reported late, of a registration already replaced: nothing to do
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

    /** Whether a real EPMD registered this node on its port (so it will not serve one in its place). */
    synchronized boolean sawRealEpmd() {
        return realEpmdSeen;
    }

    /** Failed attempts in a row. */
    synchronized int failures() {
        return failures;
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
