package io.gencluster.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node run by the distribution's {@code bin/gen-cluster} as a separate JVM (the script
 * {@code exec}s java, so the process's PID is the node's). Follows the membership lines the
 * membership-log bundle prints on stdout, each stamped with the moment it was read, and tells its
 * {@link JvmCluster} of every change.
 */
final class JvmNode {

    /** The line the membership-log bundle prints on every change. */
    private static final Pattern MEMBERS = Pattern.compile("^members of (\\S+): (.*)$");
    private static final long STOP_WAIT_S = 15;

    final String name;
    final int port;
    private final JvmCluster cluster;
    private volatile Process process;
    private long launchedAt;
    private long firstLineAt;
    private long firstMemberAt;
    private Set<String> members = Set.of();

    JvmNode(JvmCluster cluster, String name, int port) {
        this.cluster = cluster;
        this.name = name;
        this.port = port;
    }

    /** Launches the node; its stdout goes to {@code <name>.out}, stderr to {@code <name>.log}. */
    void launch(Path distribution, Path work, String javaOpts) throws IOException {
        List<String> cmd = List.of(distribution.resolve("bin/gen-cluster").toString(),
                "--name", name, "--port", String.valueOf(port),
                "--conf", work.resolve(name + "-conf").toString(), "--data", work.resolve(name + "-data").toString(),
                "--non-interactive");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(work.resolve(name + ".log").toFile()));
        pb.environment().put("JAVA_OPTS", javaOpts);
        synchronized (cluster) {
            members = Set.of();
            firstLineAt = 0;
            firstMemberAt = 0;
            launchedAt = System.nanoTime();
            process = pb.start();
        }
        process.getOutputStream().close();
        Process p = process;
        Path out = work.resolve(name + ".out");
        Thread reader = new Thread(() -> read(p, out), "bench-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void read(Process p, Path out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var log = Files.newBufferedWriter(out, StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = r.readLine()) != null) {
                long at = System.nanoTime();
                log.write(line);
                log.newLine();
                log.flush();
                Matcher m = MEMBERS.matcher(line);
                if (m.matches() && m.group(1).equals(name)) {
                    Set<String> now = new TreeSet<>();
                    for (String member : m.group(2).split(",")) {
                        if (!member.isBlank() && !member.trim().equals("(none)")) {
                            now.add(member.trim());
                        }
                    }
                    changed(p, now, at);
                }
            }
        } catch (IOException e) {
            // the process ended; its log says why
        }
    }

    private void changed(Process p, Set<String> now, long at) {
        synchronized (cluster) {
            if (p != process) {
                return; // an earlier run's last words
            }
            members = now;
            if (firstLineAt == 0) {
                firstLineAt = at;
            }
            if (firstMemberAt == 0 && !now.isEmpty()) {
                firstMemberAt = at;
            }
            cluster.changed(at);
        }
    }

    /** Guarded by the cluster's lock. */
    Set<String> members() {
        return members;
    }

    /** When the cluster component started (its first membership line), 0 before. Cluster's lock. */
    long firstLineAt() {
        return firstLineAt;
    }

    /** When its first non-empty membership line was read, 0 before. Cluster's lock. */
    long firstMemberAt() {
        return firstMemberAt;
    }

    long launchedAt() {
        return launchedAt;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** kill -9; returns when the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(STOP_WAIT_S, TimeUnit.SECONDS);
    }

    void signal(String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + sig, String.valueOf(process.pid())).inheritIO().start();
        if (!kill.waitFor(STOP_WAIT_S, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + sig + " " + process.pid() + " failed");
        }
    }

    /** SIGTERM, as a user stops a node; returns when it has ended (at most 15 s). */
    void terminate() throws IOException, InterruptedException {
        signal("TERM");
        process.waitFor(STOP_WAIT_S, TimeUnit.SECONDS);
    }

    /** Stops the node by its PID: resumed if frozen, then SIGKILL, and waits for it to end. */
    void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            signal("CONT");
        } catch (IOException | InterruptedException e) {
            // it may have ended meanwhile; SIGKILL below works on a stopped process too
        }
        process.destroyForcibly();
        try {
            process.waitFor(STOP_WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** utime + stime from /proc/<pid>/stat, in clock ticks. */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
    }

    /** VmRSS from /proc/<pid>/status, in KiB. */
    long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid());
    }
}
