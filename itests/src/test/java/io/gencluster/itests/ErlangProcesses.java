package io.gencluster.itests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real Erlang/OTP programs for the tests (Debian's erlang-base, installed by bin/test): an epmd on
 * a test port, {@code epmd -names}, and an {@code erl} node. Every process is stopped by its PID in
 * {@link #close()}.
 */
final class ErlangProcesses implements AutoCloseable {

    private final Path dir;
    private final List<Process> started = new ArrayList<>();

    ErlangProcesses(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    static String binary(String name) {
        for (String d : List.of("/usr/bin", "/usr/local/bin", "/usr/lib/erlang/bin")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return d + "/" + name;
            }
        }
        throw new AssertionError(name + " not found: install Debian's erlang-base (bin/test and .ci/run do)");
    }

    /** A real epmd on 127.0.0.1:{@code port}, in the foreground so that its PID is ours to stop. */
    Process epmd(int port) throws Exception {
        Process p = start(List.of(binary("epmd"), "-port", String.valueOf(port), "-address", "127.0.0.1"), "epmd");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!names(port).contains("up and running")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("epmd did not start on port " + port);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return p;
    }

    /** What {@code epmd -names} prints for the epmd on {@code port}. */
    String names(int port) throws Exception {
        Process p = new ProcessBuilder(binary("epmd"), "-port", String.valueOf(port), "-names").redirectErrorStream(true).start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("epmd -names did not finish");
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    /** A real Erlang node {@code -sname name}, registered with the epmd on {@code epmdPort}. */
    Process erl(String name, int epmdPort) throws IOException {
        ProcessBuilder b = new ProcessBuilder(binary("erl"), "-sname", name, "-setcookie", "erlang-cookie",
                "-noshell", "-noinput", "-start_epmd", "false");
        b.environment().put("ERL_EPMD_PORT", String.valueOf(epmdPort));
        b.environment().put("HOME", dir.toString());
        return start(b, name);
    }

    private Process start(List<String> cmd, String log) throws IOException {
        return start(new ProcessBuilder(cmd), log);
    }

    private Process start(ProcessBuilder b, String log) throws IOException {
        Process p = b.redirectErrorStream(true).redirectOutput(dir.resolve(log + ".log").toFile()).start();
        started.add(p);
        return p;
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
