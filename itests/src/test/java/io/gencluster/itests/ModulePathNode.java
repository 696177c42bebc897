package io.gencluster.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node without OSGi in a JVM of its own: {@code java [options] --module-path PATH -m
 * io.gencluster.runtime/io.gencluster.runtime.StandaloneNode CONFIG_DIR}, its standard output kept
 * line by line, its standard error written to a log file.
 */
final class ModulePathNode implements AutoCloseable {

    private static final String MAIN = "io.gencluster.runtime/io.gencluster.runtime.StandaloneNode";

    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>(10_000);
    private final List<String> seen = new ArrayList<>();

    private ModulePathNode(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.offer(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "stdout-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static ModulePathNode start(String name, String modulePath, List<String> javaOptions, Path configDir, Path log)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1"));
        command.addAll(javaOptions);
        command.addAll(List.of("--module-path", modulePath, "-m", MAIN, configDir.toString()));
        return new ModulePathNode(name, new ProcessBuilder(command).redirectError(log.toFile()).start());
    }

    /** Waits for a line of standard output that {@code wanted} accepts. */
    String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (wanted.test(line)) {
                    return line;
                }
            } else if (!process.isAlive() && lines.isEmpty()) {
                break;
            }
        }
        throw new AssertionError(name + ": no such line within " + timeout + (process.isAlive() ? "" : " (exited "
                + process.exitValue() + ")") + "; saw " + seen.stream().filter(l -> !l.contains(" jrt:/")).toList()
                + " (the JDK's own modules left out)");
    }

    /** Every line of standard output read so far by {@link #awaitLine}. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    /** SIGTERM (the node's shutdown hook closes its connections), then SIGKILL after 10 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
