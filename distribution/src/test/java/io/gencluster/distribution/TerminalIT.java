package io.gencluster.distribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's two nodes typed into an interactive shell on a terminal, each started with
 * {@code &} as a background job: a node must not read the terminal there (a background job that
 * does is stopped by SIGTTIN, and no cluster forms). The terminal is a pseudo-terminal made by
 * {@code script}; what the test types goes through it as keystrokes do. Every node is stopped by
 * the PID the shell printed for it ({@code $!}), and the shell by its own.
 */
class TerminalIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path DIST = Path.of(System.getProperty("distribution.dir"));
    private static final Pattern PID = Pattern.compile("PID ([ab])=(\\d+)");

    private Process terminal;
    private final StringBuilder screen = new StringBuilder();

    @AfterEach
    void stopEverything() throws InterruptedException {
        Matcher m;
        synchronized (screen) {
            m = PID.matcher(screen.toString());
        }
        List<ProcessHandle> nodes = new ArrayList<>();
        while (m.find()) {
            ProcessHandle.of(Long.parseLong(m.group(2))).ifPresent(nodes::add);
        }
        for (ProcessHandle n : nodes) {
            n.destroy();
        }
        for (ProcessHandle n : nodes) {
            try {
                n.onExit().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                n.destroyForcibly();
            }
        }
        if (terminal != null) {
            terminal.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            terminal.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void twoNodesStartedWithAnAmpersandInAnInteractiveShellFormACluster() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("work.dir"), "terminal-" + System.nanoTime()));
        int[] ports = FreePorts.distinct(2);
        int portA = ports[0];
        int portB = ports[1];
        String peers = "nodes = a@127.0.0.1:" + portA + ", b@127.0.0.1:" + portB;
        // an interactive bash with job control, on a terminal of its own
        terminal = new ProcessBuilder("script", "-qfec", "bash --norc --noprofile -i", "/dev/null")
                .redirectErrorStream(true).start();
        Thread reader = new Thread(this::readScreen, "terminal-it");
        reader.setDaemon(true);
        reader.start();
        OutputStream keys = terminal.getOutputStream();
        type(keys, "export JAVA_OPTS='-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC'");
        type(keys, "cd " + DIST);
        type(keys, "bin/gen-cluster --name a@127.0.0.1 --port " + portA + " --conf " + conf(work, "a", peers)
                + " --data " + work.resolve("a-data") + " &");
        type(keys, "echo PID a=$!");
        type(keys, "bin/gen-cluster --name b@127.0.0.1 --port " + portB + " --conf " + conf(work, "b", peers)
                + " --data " + work.resolve("b-data") + " &");
        type(keys, "echo PID b=$!");
        awaitOnScreen("members of a@127.0.0.1: b@127.0.0.1");
        awaitOnScreen("members of b@127.0.0.1: a@127.0.0.1");
        synchronized (screen) {
            assertTrue(!screen.toString().contains("Stopped"), "a node was stopped by the terminal:\n" + screen);
        }
    }

    private static Path conf(Path work, String name, String peers) throws IOException {
        return TestConf.write(work, name, peers, "terminal-test-cookie");
    }

    private static void type(OutputStream keys, String line) throws IOException {
        keys.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private void readScreen() {
        byte[] buffer = new byte[4096];
        try (InputStream in = terminal.getInputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (screen) {
                    screen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    screen.notifyAll();
                }
            }
        } catch (IOException ended) {
            // the terminal went away
        }
    }

    private void awaitOnScreen(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        synchronized (screen) {
            while (!screen.toString().contains(text)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("'" + text + "' not on the terminal within " + TIMEOUT + ":\n" + screen);
                }
                screen.wait(left);
            }
        }
    }
}
