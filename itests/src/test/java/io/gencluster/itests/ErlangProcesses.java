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
        ProcessBuilder b = new ProcessBuilder(binary("erl"), "-sname", name, "-setcookie", "erlang-cookie-for-tests",
                "-noshell", "-noinput", "-start_epmd", "false");
        b.environment().put("ERL_EPMD_PORT", String.valueOf(epmdPort));
        b.environment().put("HOME", dir.toString());
        return start(b, name);
    }

    /**
     * A real Erlang node {@code -name name@127.0.0.1} (long names, as the Java node under test
     * uses), with {@code cookie}, net tick time {@code tickSeconds}, registered with the epmd on
     * {@code epmdPort}, running {@code eval} once distribution is up.
     */
    Process erlLongName(String name, int epmdPort, String cookie, int tickSeconds, String eval) throws IOException {
        ProcessBuilder b = new ProcessBuilder(binary("erl"), "-name", name + "@127.0.0.1", "-setcookie", cookie,
                "-noshell", "-noinput", "-start_epmd", "false", "-kernel", "net_ticktime", String.valueOf(tickSeconds),
                "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-eval", eval);
        b.environment().put("ERL_EPMD_PORT", String.valueOf(epmdPort));
        b.environment().put("HOME", dir.toString());
        return start(b, name);
    }

    /** What a process started here printed so far. */
    String log(String name) throws IOException {
        Path f = dir.resolve(name + ".log");
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    }

    /** Sends a POSIX signal ({@code STOP}, {@code CONT}) to a process started here. */
    static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new AssertionError("kill -" + signal + " " + p.pid() + " failed");
        }
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
            try {
                signal(p, "CONT"); // a stopped process acts on SIGTERM only once it runs again
            } catch (Exception | AssertionError gone) {
                // already ended
            }
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
