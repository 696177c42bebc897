package io.gencluster.itests.hosts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stopping processes by their PID: SIGTERM to the process and its descendants, a bounded wait, then
 * SIGKILL to whatever is left. Also the check that a process started through {@code ip netns exec}
 * is the program asked for (ip execs it in place, it does not fork), read from /proc/PID/comm.
 */
final class Processes {

    private Processes() {
    }

    /** Stops the process and its descendants; true when all are gone within the bounds. */
    static boolean stop(ProcessHandle process, Duration grace) {
        List<ProcessHandle> all = new ArrayList<>();
        process.descendants().forEach(all::add);
        all.add(0, process);
        all.forEach(ProcessHandle::destroy);
        boolean gone = awaitGone(all, grace);
        if (!gone) {
            all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            gone = awaitGone(all, Duration.ofSeconds(5));
        }
        return gone;
    }

    private static boolean awaitGone(List<ProcessHandle> all, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The kernel's name of the process (at most 15 characters), empty when it is gone. */
    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /**
     * Programs that exec another under their own PID: {@code erl} is a script that execs
     * {@code erlexec}, which execs the emulator, so the PID ends as {@code beam.smp}.
     */
    private static final java.util.Map<String, String> EXECS_INTO = java.util.Map.of("erl", "beam.smp");

    /**
     * Waits until the process started as {@code ip netns exec NS program ...} has become
     * {@code program} (ip enters the namespace and then execs it under the same PID), or the
     * program it execs in turn ({@link #EXECS_INTO}).
     */
    static void awaitExec(Process p, String program, Duration bound) {
        String expected = Path.of(program).getFileName().toString();
        expected = EXECS_INTO.getOrDefault(expected, expected);
        expected = expected.length() > 15 ? expected.substring(0, 15) : expected;
        String want = expected;
        Await.until("PID " + p.pid() + " to be " + want + " (not a child of ip netns exec)", bound,
                () -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException(program + " (PID " + p.pid() + ") exited "
                                + p.exitValue() + " right after start");
                    }
                    return want.equals(comm(p.pid()));
                });
    }
}
