package io.gencluster.dist.kit;

import io.gencluster.api.MessageHandler;
import io.gencluster.spi.Dist;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Runs one transport at a time for a transport's DS component, and registers it while it
 * listens, with {@value Dist#TRANSPORT_PROPERTY}, {@value Dist#NODE_PROPERTY} and
 * {@value #PORT_PROPERTY} (the bound port) as service properties. Every {@link MessageHandler}
 * service the component's bundle sees is a mailbox of the running transport (whiteboard). The
 * service is registered here rather than by DS because it exists exactly while a transport
 * listens, which a configuration can change.
 *
 * <p>Created when the component activates and {@link #close closed} when it deactivates;
 * thread-safe, as handlers come and go while the component restarts its transport.
 */
public final class TransportRunner {

    /** Service property carrying the port a transport listens on. */
    public static final String PORT_PROPERTY = "gencluster.dist.port";

    private static final System.Logger LOG = System.getLogger(TransportRunner.class.getName());

    private final BundleContext context;
    private final String pid;
    private final String transport;
    private final String[] interfaces;
    private final MailboxWhiteboard mailboxes;
    private TransportService running;
    private ServiceRegistration<?> registration;

    /**
     * @param context the component's, whose bundle's view of the MessageHandler services counts
     * @param pid the component's configuration, named in the log
     * @param transport the value of {@value Dist#TRANSPORT_PROPERTY} ({@code tcp}, ...)
     * @param interfaces what the transport is registered as (its {@link TransportService} implements them)
     */
    public TransportRunner(BundleContext context, String pid, String transport, Class<?>... interfaces) {
        this.context = context;
        this.pid = pid;
        this.transport = transport;
        this.interfaces = Arrays.stream(interfaces).map(Class::getName).toArray(String[]::new);
        this.mailboxes = new MailboxWhiteboard(context);
        mailboxes.open();
    }

    /**
     * A valid new configuration restarts the transport: node name, port and cookie cannot change
     * under live connections, so they drop and the runtime re-makes them. A bad one is logged and
     * ignored: a running transport keeps its connections, and one that never ran waits for a
     * valid configuration, no restart needed.
     *
     * @param settings the configuration checked, or an IllegalArgumentException naming the bad key and value
     * @param create a transport, not started yet, for valid settings
     */
    public synchronized <S> void restart(Supplier<S> settings, Function<S, TransportService> create) {
        S valid;
        try {
            valid = settings.get();
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "configuration {0} rejected: {1}; {2}", pid, e.getMessage(),
                    running == null ? "the transport stays inactive until the configuration is fixed" : "keeping the running transport");
            return;
        }
        stop();
        TransportService started = create.apply(valid);
        try {
            started.start();
        } catch (IOException e) {
            closeTransport(started);
            LOG.log(Level.ERROR, "{0}: cannot listen on {1}: {2}; the transport stays inactive until the configuration changes",
                    pid, started.address(), e.getMessage());
            return;
        }
        running = started;
        mailboxes.attach(started);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Dist.TRANSPORT_PROPERTY, transport);
        props.put(Dist.NODE_PROPERTY, started.self().toString());
        props.put(PORT_PROPERTY, started.port());
        registration = context.registerService(interfaces, started, props);
    }

    /** Stops the running transport, if any, and the whiteboard: the component deactivates. */
    public synchronized void close() {
        stop();
        mailboxes.close();
    }

    /** Unregisters and closes the running transport, if any. */
    private void stop() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping and unregistered it already
            }
            registration = null;
        }
        if (running != null) {
            mailboxes.detach();
            closeTransport(running);
            running = null;
        }
    }

    private void closeTransport(TransportService service) {
        try {
            service.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, pid + ": closing the transport failed", e);
        }
    }
}
