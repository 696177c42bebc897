package io.gencluster.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Processes that only burn CPU ({@code sh -c 'while :; do :; done'}), as another program
 * saturating the machine would: two per core, so that every core has more runnable threads than
 * it can run. Each is stopped by its PID in {@link #close()}.
 */
final class BusyLoops implements AutoCloseable {

    private final List<Process> loops = new ArrayList<>();

    /** Starts {@code count} busy loops. */
    BusyLoops(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            loops.add(new ProcessBuilder("sh", "-c", "while :; do :; done").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
    }

    /** Two for each core this JVM sees. */
    static BusyLoops twoPerCore() throws IOException {
        return new BusyLoops(2 * Runtime.getRuntime().availableProcessors());
    }

    int count() {
        return loops.size();
    }

    boolean allAlive() {
        return loops.stream().allMatch(Process::isAlive);
    }

    /** CPU seconds (user + system) the loops used so far, from {@code /proc/<pid>/stat} (clock ticks at 100 Hz). */
    double cpuSeconds() throws IOException {
        long ticks = 0;
        for (Process p : loops) {
            String stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        }
        return ticks / 100.0;
    }

    /** The machine's CPU time so far, all cores, from {@code /proc/stat}: {total, idle (with iowait)}, in clock ticks. */
    static long[] machineTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+"); // cpu user nice system idle iowait ...
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) { // up to steal; guest time is already in user
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : loops) {
            p.destroyForcibly();
        }
        for (Process p : loops) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
