package io.gencluster.dist.erlang;

import io.gencluster.epmd.EpmdClient;
import io.gencluster.epmd.NodeEntry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this node registered with the local EPMD as an Erlang node would be: name and listen
 * port, highest and lowest version 6, no gen-cluster marker (this node speaks Erlang's protocol,
 * not ours), type 'H' when hidden. When the registration's connection closes (EPMD restarted) it
 * registers again, retrying every {@value #RETRY_MS} ms as OTP's {@code erl_epmd} does.
 */
final class EpmdRegistration implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EpmdRegistration.class.getName());
    private static final Duration EPMD_TIMEOUT = Duration.ofSeconds(2);
    static final long RETRY_MS = 2000;

    private final NodeEntry entry;
    private final int epmdPort;
    private final ScheduledExecutorService timer;
    private EpmdClient.Registration registration;
    private String lastProblem;
    private boolean closed;

    EpmdRegistration(String name, int distPort, boolean hidden, int epmdPort, ScheduledExecutorService timer) {
        this.entry = new NodeEntry(name, distPort, hidden ? NodeEntry.HIDDEN : NodeEntry.NORMAL, 0, 6, 6, new byte[0]);
        this.epmdPort = epmdPort;
        this.timer = timer;
    }

    /** Registers now; returns the creation EPMD gave, or 0 when it could not (then it keeps trying in the background). */
    synchronized long register() {
        if (attempt()) {
            return registration.creation;
        }
        schedule(RETRY_MS);
        return 0;
    }

    private boolean attempt() {
        try {
            registration = new EpmdClient(InetAddress.getLoopbackAddress().getHostAddress(), epmdPort, EPMD_TIMEOUT)
                    .register(entry, this::lost);
            LOG.log(Level.INFO, "registered {0} with EPMD on port {1}", entry, String.valueOf(epmdPort));
            lastProblem = null;
            return true;
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).equals(lastProblem)) {
                lastProblem = String.valueOf(e.getMessage());
                LOG.log(Level.WARNING, "cannot register {0} with EPMD on port {1}: {2}; Erlang nodes cannot dial this"
                        + " node until it can (retrying every {3} ms)", entry.name, String.valueOf(epmdPort), e.getMessage(), String.valueOf(RETRY_MS));
            }
            return false;
        }
    }

    private synchronized void retry() {
        if (!closed && (registration == null || !registration.isActive()) && !attempt()) {
            schedule(RETRY_MS);
        }
    }

    private void schedule(long ms) {
        try {
            timer.schedule(this::retry, ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the transport is closing
        }
    }

    private void lost() {
        synchronized (this) {
            if (closed) {
                return;
            }
            LOG.log(Level.WARNING, "registration of {0} with EPMD on port {1} was lost; registering again", entry.name, String.valueOf(epmdPort));
        }
        schedule(0);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (registration != null) {
            registration.close();
        }
    }
}
