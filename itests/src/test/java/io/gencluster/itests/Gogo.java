package io.gencluster.itests;

import io.gencluster.itests.node.FelixNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A Gogo command session in a node's framework: the Gogo runtime bundle and our shell bundle are
 * installed into it, and commands run through Gogo's CommandProcessor as a typed line would. Gogo's
 * types are the bundle's, so they are reached reflectively.
 */
final class Gogo implements AutoCloseable {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";

    private final Object session;
    private final Class<?> sessionType;

    private Gogo(Object session, Class<?> sessionType) {
        this.session = session;
        this.sessionType = sessionType;
    }

    /** Installs and starts the bundle whose jar path is system property {@code property}. */
    static Bundle install(FelixNode node, String property) throws Exception {
        Bundle b = node.context().installBundle(Path.of(System.getProperty(property)).toUri().toString());
        b.start();
        return b;
    }

    /** Installs Gogo and the shell bundle into {@code node} and opens a session once cluster:* exists. */
    static Gogo open(FelixNode node, Duration timeout) throws Exception {
        install(node, "gogo.jar");
        install(node, "shell.jar");
        BundleContext ctx = node.context();
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(ctx, PROCESSOR, null);
        tracker.open(true);
        try {
            Object processor = tracker.waitForService(timeout.toMillis());
            if (processor == null) {
                throw new AssertionError("no Gogo CommandProcessor within " + timeout + "; bundles: " + node.bundleStates());
            }
            Class<?> type = tracker.getServiceReference().getBundle().loadClass(PROCESSOR);
            InputStream in = new ByteArrayInputStream(new byte[0]);
            OutputStream out = new ByteArrayOutputStream();
            Object session = type.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                    .invoke(processor, in, out, out);
            Gogo gogo = new Gogo(session, tracker.getServiceReference().getBundle().loadClass(SESSION));
            gogo.awaitCommand("cluster:status", timeout);
            return gogo;
        } finally {
            tracker.close();
        }
    }

    /** Gogo picks up command services as they register: wait until {@code command} is known. */
    private void awaitCommand(String command, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                execute(command);
                return;
            } catch (Exception e) {
                boolean unknown = e.getClass().getSimpleName().equals("CommandNotFoundException");
                if (!unknown) {
                    return; // the command exists; it may fail for its own reasons (no cluster yet)
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(command + " not registered with Gogo within " + timeout, e);
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    /** Runs one command line; returns what the command returned, as text; throws what it threw. */
    String execute(String line) throws Exception {
        try {
            Object result = sessionType.getMethod("execute", CharSequence.class).invoke(session, line);
            return result == null ? "" : result.toString();
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    @Override
    public void close() throws Exception {
        sessionType.getMethod("close").invoke(session);
    }
}
