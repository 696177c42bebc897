package io.gencluster.itests.karaf;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One real Apache Karaf, copied from the unpacked distribution into a directory of its own, on
 * loopback ports of its own, run as {@code bin/karaf daemon} (which {@code exec}s the JVM, so the
 * child process's PID is Karaf's) and stopped by that PID in {@link #close()} — also when a test
 * failed, and from a shutdown hook if the test JVM itself is stopped.
 *
 * <p>The shell is reached the way an operator scripts it: OpenSSH with a key listed in
 * {@code etc/keys.properties} ({@code bin/client} drops its output when stdin is not a terminal).
 * Maven URLs resolve offline from the distribution's {@code system/} and from the repository the
 * build assembled, nothing else.
 */
final class KarafInstance implements AutoCloseable {

    /** Ports a Karaf listens on, all bound to 127.0.0.1. */
    record Ports(int ssh, int rmiRegistry, int rmiServer) {
    }

    private static final Duration SHELL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    /** ssh exits with 255 when the connection itself failed: Karaf not listening yet, or its shell being refreshed. */
    private static final int SSH_CONNECTION_FAILED = 255;

    final String name;
    final Path home;
    private final Ports ports;
    private final Path clientKey;
    private final KarafLog log;
    private Process process;
    private Thread killOnExit;

    private KarafInstance(String name, Path home, Ports ports, Path clientKey) {
        this.name = name;
        this.home = home;
        this.ports = ports;
        this.clientKey = clientKey;
        this.log = new KarafLog(home.resolve("data/log/karaf.log"));
    }

    /**
     * Copies the distribution to {@code home} and configures it: ports, loopback only, the client
     * key, offline Maven resolution from {@code system/} and {@code repository}.
     */
    static KarafInstance create(String name, Path distribution, Path home, Ports ports, Path clientKey, Path repository)
            throws IOException {
        copyTree(distribution, home);
        KarafInstance k = new KarafInstance(name, home, ports, clientKey);
        k.edit("etc/org.apache.karaf.shell.cfg", Map.of("sshPort", String.valueOf(ports.ssh()), "sshHost", "127.0.0.1"));
        k.edit("etc/org.apache.karaf.management.cfg", Map.of(
                "rmiRegistryPort", String.valueOf(ports.rmiRegistry()), "rmiRegistryHost", "127.0.0.1",
                "rmiServerPort", String.valueOf(ports.rmiServer()), "rmiServerHost", "127.0.0.1"));
        // the test stops Karaf by PID: no shutdown port to open
        Files.writeString(home.resolve("etc/config.properties"), "\nkaraf.shutdown.port = -1\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        // Karaf 4.4 ships no enabled user; this key logs in as karaf with the admin group
        String publicKey = Files.readString(Path.of(clientKey + ".pub")).trim().split("\\s+")[1];
        Files.writeString(home.resolve("etc/keys.properties"), "\nkaraf = " + publicKey + ",_g_:admingroup\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        // our SNAPSHOTs come from the repository this build assembled; no remote repository, and
        // an empty local one, so a stale copy in ~/.m2 can never be what is tested
        Files.writeString(home.resolve("etc/org.ops4j.pax.url.mvn.cfg"), String.join("\n",
                "org.ops4j.pax.url.mvn.offline = true",
                "org.ops4j.pax.url.mvn.useFallbackRepositories = false",
                "org.ops4j.pax.url.mvn.localRepository = ${karaf.data}/m2",
                "org.ops4j.pax.url.mvn.defaultRepositories = "
                        + "${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots, "
                        + repository.toUri() + "@id=gencluster.build@snapshots",
                "org.ops4j.pax.url.mvn.repositories = ",
                ""), StandardCharsets.UTF_8);
        return k;
    }

    /** A fresh RSA key pair for the shell (Karaf's key login takes RSA; the files are {@code key} and {@code key.pub}). */
    static Path clientKey(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path key = dir.resolve("client-key");
        Files.deleteIfExists(key);
        Files.deleteIfExists(Path.of(key + ".pub"));
        run(List.of(binary("ssh-keygen"), "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "gencluster-itest", "-f", key.toString()),
                Duration.ofSeconds(30));
        return key;
    }

    /** Starts {@code bin/karaf daemon} with {@code javaHome}; returns at once (see {@link #awaitShell}). */
    void start(Path javaHome) throws IOException {
        ProcessBuilder b = new ProcessBuilder(home.resolve("bin/karaf").toString(), "daemon")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("karaf.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = b.environment();
        List.of("KARAF_HOME", "KARAF_BASE", "KARAF_DATA", "KARAF_ETC", "KARAF_LOG", "KARAF_OPTS", "JAVA_OPTS",
                "EXTRA_JAVA_OPTS", "JAVA_MIN_MEM", "JAVA_MAX_MEM").forEach(env::remove);
        env.put("JAVA_HOME", javaHome.toString());
        // two Karafs on a small machine: a bounded heap, a quick-starting compiler
        env.put("EXTRA_JAVA_OPTS", "-Xmx384m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        process = b.start();
        killOnExit = new Thread(() -> process.destroyForcibly(), "kill-karaf-" + name);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Waits until the shell answers over ssh and the boot features' commands are there. */
    void awaitShell(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + ": Karaf exited with " + process.exitValue() + "; see " + home.resolve("karaf.out"));
            }
            // the feature commands answer once the boot features are installed
            Result r = ssh("feature:repo-list", Duration.ofSeconds(20));
            if (r.exit == 0 && r.output.contains("standard-")) {
                return;
            }
            last = r.output;
            TimeUnit.MILLISECONDS.sleep(250); // polling a port that is not open yet: nothing to wait on instead
        }
        throw new AssertionError(name + ": the Karaf shell did not answer on port " + ports.ssh() + " within " + timeout
                + "; last answer: " + last + "\n" + log.tail(0));
    }

    /**
     * Runs a shell command and returns its output; a command Karaf reports as failed fails the test.
     * Retried only when the connection itself failed or the command was missing (installing scr
     * refreshes the shell bundles, which drops the ssh sessions of the next few seconds); the
     * commands used are idempotent.
     */
    String shell(String command) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + SHELL_TIMEOUT.toNanos();
        while (true) {
            Result r = ssh(command, SHELL_TIMEOUT);
            boolean failed = r.exit != 0 || r.output.contains("Error executing command");
            if (!failed) {
                return r.output;
            }
            // "Command not found": the same refresh, seen from a session that got in
            boolean retry = r.exit == SSH_CONNECTION_FAILED || r.output.contains("Command not found");
            if (!retry || System.nanoTime() > deadline) {
                throw new AssertionError(name + ": `" + command + "` failed (exit " + r.exit + "): " + r.output);
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    private record Result(int exit, String output) {
    }

    private Result ssh(String command, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile(home, "ssh-", ".out");
        try {
            Process p = new ProcessBuilder(binary("ssh"), "-F", "/dev/null", "-i", clientKey.toString(),
                    "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                    "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10",
                    "-p", String.valueOf(ports.ssh()), "karaf@127.0.0.1", command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(name + ": `" + command + "` did not finish within " + timeout);
            }
            // Karaf closes the session when the command ends; OpenSSH reports that on stderr
            String output = Files.readString(out, StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("Connection to 127.0.0.1 closed"))
                    .collect(Collectors.joining("\n"));
            return new Result(p.exitValue(), output);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Writes {@code etc/<pid>.cfg} at once (written aside, then moved), as an operator drops a file in. */
    void writeConfig(String pid, Map<String, String> properties) throws IOException {
        String text = properties.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
        Path aside = Files.writeString(home.resolve(pid + ".cfg.tmp"), text, StandardCharsets.UTF_8);
        Files.move(aside, home.resolve("etc").resolve(pid + ".cfg"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    void deleteConfig(String pid) throws IOException {
        Files.delete(home.resolve("etc").resolve(pid + ".cfg"));
    }

    KarafLog log() {
        return log;
    }

    /**
     * Stops Karaf by its PID: SIGTERM (Karaf stops its bundles), then SIGKILL if it does not exit in
     * time. {@code bin/karaf daemon} execs the JVM, so that PID is the child's; should a script ever
     * fork instead, the PID Karaf wrote to {@code karaf.pid} is stopped as well.
     */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        stop(process.toHandle());
        writtenPid().filter(pid -> pid != process.pid()).flatMap(ProcessHandle::of)
                .filter(h -> h.info().commandLine().map(c -> c.contains(home.toString())).orElse(false))
                .ifPresent(KarafInstance::stop);
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: nothing left to do
        }
    }

    private static void stop(ProcessHandle h) {
        h.destroy();
        try {
            h.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            h.destroyForcibly();
            h.onExit().completeOnTimeout(h, STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
        } catch (InterruptedException e) {
            h.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private Optional<Long> writtenPid() {
        try {
            return Optional.of(Long.parseLong(Files.readString(home.resolve("karaf.pid")).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Sets {@code key = value} lines of a Karaf .cfg file, keeping its comments. */
    private void edit(String file, Map<String, String> values) throws IOException {
        Path path = home.resolve(file);
        List<String> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            String key = line.contains("=") && !line.trim().startsWith("#") ? line.substring(0, line.indexOf('=')).trim() : null;
            if (key != null && values.containsKey(key)) {
                out.add(key + " = " + values.get(key));
                done.add(key);
            } else {
                out.add(line);
            }
        }
        values.forEach((k, v) -> {
            if (!done.contains(k)) {
                out.add(k + " = " + v);
            }
        });
        Files.write(path, out, StandardCharsets.UTF_8);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // COPY_ATTRIBUTES keeps bin/karaf executable
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static String binary(String name) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return dir + "/" + name;
            }
        }
        throw new AssertionError(name + " not found: install Debian's openssh-client (bin/test does)");
    }

    private static void run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(command + " failed (exit " + p.exitValue() + "): " + output);
        }
    }
}
