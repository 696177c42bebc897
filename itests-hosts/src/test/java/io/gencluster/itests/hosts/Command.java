package io.gencluster.itests.hosts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One short command run to its end with a bounded wait: its exit code and its output (stdout and
 * stderr together). A command still running at the deadline is killed by its PID, with its
 * descendants, and the call fails naming the command.
 */
public final class Command {

    /** What a finished command gave: its exit code and its output. */
    public record Result(List<String> argv, int exitCode, String output) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** This result, or an exception naming the command, the exit code and the output. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException(
                        String.join(" ", argv) + " exited " + exitCode + ":\n" + output.strip());
            }
            return this;
        }
    }

    private Command() {
    }

    static Result run(Duration timeout, List<String> argv) {
        return run(timeout, argv, null);
    }

    /** Runs argv, writing {@code stdin} (if not null) to its standard input, and waits for its end. */
    static Result run(Duration timeout, List<String> argv, String stdin) {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                            : ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", argv), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out), "output of " + argv.get(0));
        reader.setDaemon(true);
        reader.start();
        try {
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                Processes.stop(p.toHandle(), Duration.ZERO);
                throw new IllegalStateException(String.join(" ", argv) + " still running after " + timeout
                        + ", killed (PID " + p.pid() + ")");
            }
            reader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Processes.stop(p.toHandle(), Duration.ZERO);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", argv), e);
        } catch (IOException e) {
            Processes.stop(p.toHandle(), Duration.ZERO);
            throw new UncheckedIOException("cannot write to " + String.join(" ", argv), e);
        }
        String output;
        synchronized (out) {
            output = out.toString(StandardCharsets.UTF_8);
        }
        return new Result(List.copyOf(argv), p.exitValue(), output);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the process is gone; what was read is kept
        }
    }
}
