package io.gencluster.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other side of the transport benchmark, a second JVM started with this JVM's classpath and
 * options ({@link TransportPeer}), as users run two nodes. It is stopped by its PID on
 * {@link #close}, and by a shutdown hook should this JVM end first (an error, Ctrl-C, a timeout's
 * SIGTERM); it also ends by itself when its standard input closes.
 */
final class PeerJvm implements AutoCloseable {

    private final Process process;
    private final Thread hook;
    /** The words of the peer's "ready" line: its ports. */
    final int[] ports;

    PeerJvm(Path tlsDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TransportPeer.class.getName(), tlsDir.toString()));
        process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        hook = new Thread(this::stop, "stop-peer-jvm");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("ready ")) {
                throw new IOException("the peer JVM (pid " + process.pid() + ") did not start: " + line);
            }
            String[] words = line.substring(6).trim().split(" ");
            ports = new int[words.length];
            for (int i = 0; i < words.length; i++) {
                ports[i] = Integer.parseInt(words[i]);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM to the peer's PID, then SIGKILL if it has not ended within 5 s. */
    private void stop() {
        ProcessHandle h = process.toHandle();
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                h.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            h.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook runs (and finds the peer stopped)
        }
    }
}
