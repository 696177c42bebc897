package io.gencluster.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A node in a JVM of its own (the itests launcher {@code NodeMain}), killed by PID on close even
 * when the test failed. Its stdout lines are the test's event stream; its stderr (the node's log)
 * goes to a file that failure messages quote.
 */
final class NodeProcess implements AutoCloseable {

    private static final int MAX_LINES_QUEUED = 10_000;
    private static final int RECENT_LINES = 20;

    final String name;
    private final Process process;
    private final PrintWriter stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>(MAX_LINES_QUEUED);
    /** The last stdout lines, consumed or not, quoted when a wait fails. */
    private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();
    private final Path log;
    private volatile Set<String> members = Set.of();
    /** Every cluster event the node printed, with when this JVM read it. */
    private final List<Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Object changes = new Object(); // notified when an event or a received message comes
    /** Per recorded mailbox, the payloads it received, in arrival order. */
    private final Map<String, List<String>> received = new java.util.concurrent.ConcurrentHashMap<>();

    /** A cluster event as the node printed it ("node up a@h", "node down a@h (REASON: detail)"). */
    record Event(long nanos, String text) {
        boolean isDown(String node) {
            return text.startsWith("node down " + node + " ");
        }

        boolean isUp(String node) {
            return text.equals("node up " + node);
        }
    }

    private NodeProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::read, "stdout-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a node with the given configurations (PID → properties) and waits for READY. */
    static NodeProcess start(String name, Path work, Map<String, Map<String, String>> configs) throws Exception {
        Files.createDirectories(work);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("launcher.classes") + java.io.File.pathSeparator + System.getProperty("felix.jar"),
                "io.gencluster.itests.node.NodeMain",
                "--bundles", System.getProperty("bundles.dir"),
                "--storage", work.resolve(name + "-cache-" + System.nanoTime()).toString()));
        for (Map.Entry<String, Map<String, String>> c : configs.entrySet()) {
            cmd.add("--config");
            cmd.add(c.getKey());
            c.getValue().forEach((k, v) -> cmd.add(k + "=" + v));
        }
        Path log = work.resolve(name + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        NodeProcess node = new NodeProcess(name, p, log);
        node.awaitLine(l -> l.equals("READY"), Duration.ofSeconds(30));
        return node;
    }

    /** Configurations in order, for {@link #start}. */
    static Map<String, Map<String, String>> configs(Object... pidThenProps) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (int i = 0; i < pidThenProps.length; i += 2) {
            @SuppressWarnings("unchecked")
            Map<String, String> props = (Map<String, String>) pidThenProps[i + 1];
            out.put((String) pidThenProps[i], props);
        }
        return out;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("MEMBERS")) {
                    String rest = line.substring("MEMBERS".length()).trim();
                    members = rest.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(rest.split(",")));
                } else if (line.equals("NO-CLUSTER")) {
                    members = Set.of();
                } else if (line.startsWith("EVENT ")) {
                    events.add(new Event(System.nanoTime(), line.substring("EVENT ".length())));
                    changed();
                } else if (line.startsWith("GOT ")) {
                    String[] parts = line.split(" ", 3);
                    List<String> got = received.computeIfAbsent(parts[1], k -> java.util.Collections.synchronizedList(new ArrayList<>()));
                    got.addAll(Arrays.asList(parts[2].split(",")));
                    changed();
                    continue; // many: kept here, not in the line queue
                }
                synchronized (recent) {
                    if (recent.size() == RECENT_LINES) {
                        recent.removeFirst();
                    }
                    recent.addLast(line);
                }
                // when nobody has read for a long time, the oldest lines matter least
                while (!lines.offer(line)) {
                    lines.poll();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Waits for a stdout line matching {@code p}, consuming the lines before it. */
    String awaitLine(java.util.function.Predicate<String> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError(name + ": no expected line within " + timeout + "; " + diagnostics());
            }
            if (p.test(line)) {
                return line;
            }
        }
    }

    /** Waits until this node's members are exactly {@code expected}; returns the milliseconds it took. */
    long awaitMembers(Set<String> expected, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!members.equals(expected)) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null && !members.equals(expected)) {
                throw new AssertionError(name + ": members " + members + ", expected " + expected + " within " + timeout + "; " + diagnostics());
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    Set<String> members() {
        return members;
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** Wakes those waiting for an event or a received message. */
    private void changed() {
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    /**
     * Waits until {@code found} gives a value, checking it each time an event or a received
     * message comes (and once at the start); returns that value, or null past the timeout.
     */
    private <T> T awaitChange(java.util.function.Supplier<T> found, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changes) {
            while (true) {
                T value = found.get(); // checked under the lock the reader notifies under: no change is missed
                long left = deadline - System.nanoTime();
                if (value != null || left <= 0) {
                    return value;
                }
                TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
        }
    }

    /** Waits for an event matching {@code p} (already seen or to come); returns it. */
    Event awaitEvent(java.util.function.Predicate<Event> p, Duration timeout) throws InterruptedException {
        Event e = awaitChange(() -> events.stream().filter(p).findFirst().orElse(null), timeout);
        if (e == null) {
            throw new AssertionError(name + ": no expected event within " + timeout + "; events " + events + "; " + diagnostics());
        }
        return e;
    }

    /** Waits until mailbox {@code mailbox} has received at least {@code count} messages. */
    void awaitReceived(String mailbox, int count, Duration timeout) throws InterruptedException {
        if (awaitChange(() -> received(mailbox).size() >= count ? Boolean.TRUE : null, timeout) == null) {
            throw new AssertionError(name + ": mailbox " + mailbox + " received " + received(mailbox).size() + ", not " + count
                    + ", within " + timeout + "; " + diagnostics());
        }
    }

    /** The payloads recorded mailbox {@code mailbox} received so far (see NodeMain's mailbox command). */
    List<String> received(String mailbox) {
        List<String> got = received.get(mailbox);
        if (got == null) {
            return List.of();
        }
        synchronized (got) {
            return List.copyOf(got);
        }
    }

    /** Runs NodeMain's resources command: gen-cluster threads and socket descriptors. */
    Map<String, String> resources() throws InterruptedException {
        send("resources");
        String line = awaitLine(l -> l.startsWith("RESOURCES "), Duration.ofSeconds(30));
        Map<String, String> out = new LinkedHashMap<>();
        String[] words = line.substring("RESOURCES ".length()).split(" ", 5);
        for (String w : words) {
            int eq = w.indexOf('=');
            out.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return out;
    }

    void send(String command) {
        stdin.println(command);
    }

    long pid() {
        return process.pid();
    }

    /** Sends a signal by PID (STOP freezes the JVM as a hung process would be, CONT resumes it). */
    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        try {
            signal("CONT"); // a stopped process must be able to die
        } catch (Exception | AssertionError ignored) {
            // already gone
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Waits until the node's log (its stderr) has a line matching {@code p}, and returns it. The log
     * is a file written by another process: nothing to block on, so it is re-read to a deadline.
     */
    String awaitLogLine(java.util.function.Predicate<String> p, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String line : logLines()) {
                if (p.test(line)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": no expected log line within " + timeout + "; " + diagnostics());
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** The node's log so far. */
    List<String> logLines() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    String diagnostics() {
        String tail;
        try {
            List<String> all = Files.readAllLines(log);
            tail = String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            tail = "(no log: " + e.getMessage() + ")";
        }
        String stdout;
        synchronized (recent) {
            stdout = String.join("\n", recent);
        }
        return "last stdout lines:\n" + stdout + "\nlog " + log + " ends with:\n" + tail;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            send("quit");
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
