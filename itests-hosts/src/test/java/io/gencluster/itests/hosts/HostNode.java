package io.gencluster.itests.hosts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node started by the distribution's {@code bin/gen-cluster}, with the probe bundle, as a test
 * sees it: commands on its stdin, the probe's replies and events read from its stdout, its log
 * (stderr) in a file. Every wait has a timeout and fails with the node's last stdout lines and
 * log lines; nothing sleeps. {@link #close} kills whatever still runs, and a shutdown hook kills
 * every node still running when the test JVM is stopped.
 */
public final class HostNode implements AutoCloseable {

    /** One cluster event the node's probe reported; {@code t} is the node's epoch milliseconds. */
    public record Event(long t, String kind, String node, String detail) {
    }

    /** The totals of a stream, from {@code STREAM-DONE} or {@code stream-stop}. */
    public record StreamTotals(long sent, long ok, long failed) {
    }

    /** {@code resources}: gen-cluster threads, socket descriptors, heap used after a GC. */
    public record Resources(int threads, int sockets, long heapUsed, String threadNames) {
    }

    /** Five nodes share two cores: a small heap, one GC thread, C1 only, small stacks. */
    static final String JAVA_OPTS = "-Dfelix.fileinstall.poll=200 -Xmx256m -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1";
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** The node's membership and its mailboxes are not announced: asked again this often while waited for. */
    private static final long POLL_MS = 100;
    private static final Set<HostNode> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(n -> n.process.toHandle().destroyForcibly()),
                "host-node-killer"));
    }

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final NodeTranscript transcript;
    private final Map<String, Long> streamMarks = new ConcurrentHashMap<>();

    private HostNode(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.transcript = new NodeTranscript(name, logFile,
                () -> process.isAlive() ? "still running" : "exit status " + process.exitValue());
    }

    /**
     * Runs {@code commandPrefix + [bin/gen-cluster, --name, nodeName, --port, port, --conf, confDir,
     * --data, dataDir, --non-interactive]}. The prefix ({@code ip netns exec NS}) and the script both
     * exec, so the process is the node's JVM and its PID the one signals go to.
     */
    public static HostNode start(List<String> commandPrefix, Path distribution, String nodeName, int port, Path confDir,
            Path dataDir, Path logFile) throws IOException {
        List<String> command = new ArrayList<>(commandPrefix);
        command.addAll(List.of(distribution.resolve("bin/gen-cluster").toString(), "--name", nodeName, "--port",
                String.valueOf(port), "--conf", confDir.toString(), "--data", dataDir.toString(), "--non-interactive"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(Redirect.appendTo(logFile.toFile()));
        pb.environment().put("JAVA_OPTS", JAVA_OPTS);
        HostNode node = new HostNode(nodeName, pb.start(), logFile);
        RUNNING.add(node);
        Thread reader = new Thread(node::readStdout, "host-node-stdout-" + nodeName);
        reader.setDaemon(true);
        reader.start();
        return node;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for {@code PROBE READY}: the node runs its cluster and transport; returns the node's self name. */
    public String awaitReady(Duration timeout) {
        return transcript.await(transcript::readySelf, timeout, "PROBE READY");
    }

    /** Waits until the node's members are exactly {@code expected} (asking it again every {@value #POLL_MS} ms). */
    public void awaitMembers(Set<String> expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> want = Set.copyOf(expected);
        while (true) {
            command("members", "PROBE MEMBERS ", Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            long until = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MS));
            for (long left = until - System.nanoTime(); left > 0 && !transcript.members().equals(want); left = until - System.nanoTime()) {
                transcript.awaitNextLine(left); // an up or down event changes them at once
            }
            if (transcript.members().equals(want)) {
                return;
            }
            if (System.nanoTime() - deadline >= 0 || transcript.isEnded()) {
                throw transcript.failure("members " + new TreeSet<>(want) + " (last seen " + new TreeSet<>(transcript.members()) + ")", timeout);
            }
        }
    }

    /** Waits for a line of the node's own output (not the probe's) that starts with {@code prefix}. */
    public String awaitOutput(String prefix, Duration timeout) {
        return transcript.awaitLineAfter(0, prefix, timeout, "a line '" + prefix + "...'");
    }

    /** The node's members now, as it answers {@code members}. */
    public Set<String> members() {
        command("members", "PROBE MEMBERS ", COMMAND_TIMEOUT);
        return transcript.members();
    }

    /** Waits for the first event (of all since the start) that matches. */
    public Event awaitEvent(Predicate<Event> matches, Duration timeout) {
        return transcript.await(() -> transcript.events().stream().filter(matches).findFirst().orElse(null), timeout,
                "an event that matches");
    }

    /** Every event the probe reported so far, in order. */
    public List<Event> events() {
        return transcript.events();
    }

    /** Sends {@code line} and waits for the first later stdout line starting with {@code replyPrefix}. */
    public String command(String line, String replyPrefix, Duration timeout) {
        long mark = transcript.mark();
        send(line);
        return transcript.awaitLineAfter(mark, replyPrefix, timeout, "reply '" + replyPrefix + "...' to '" + line + "'");
    }

    public void mailbox(String mailbox) {
        command("mailbox " + mailbox, "PROBE OK mailbox " + mailbox, COMMAND_TIMEOUT);
    }

    /** Unregisters {@code mailbox}'s handler. */
    public void mailboxClose(String mailbox) {
        command("mailbox-close " + mailbox, "PROBE OK mailbox-close " + mailbox, COMMAND_TIMEOUT);
    }

    /** Writes what {@code mailbox} received to {@code file} and returns how many messages that is. */
    public long received(String mailbox, Path file) {
        String reply = command("received " + mailbox + " " + file, "PROBE RECEIVED " + mailbox + " ", COMMAND_TIMEOUT);
        return Long.parseLong(reply.substring(reply.lastIndexOf(' ') + 1));
    }

    /** Waits until {@code mailbox} received at least {@code count} messages (asking every {@value #POLL_MS} ms); writes {@code file}. */
    public long awaitReceived(String mailbox, Path file, long count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (long n = received(mailbox, file); ; n = received(mailbox, file)) {
            if (n >= count) {
                return n;
            }
            if (System.nanoTime() - deadline >= 0 || transcript.isEnded()) {
                throw transcript.failure(count + " messages in " + mailbox + " (got " + n + ")", timeout);
            }
            transcript.awaitNextLine(Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(POLL_MS)));
        }
    }

    /** Starts an endless stream of seqs to {@code mailbox} on {@code node}, one per {@code intervalMicros}. */
    public void stream(String node, String mailbox, long intervalMicros) {
        stream(node, mailbox, intervalMicros + "");
    }

    /** Starts a stream of {@code count} seqs; {@link #awaitStreamDone} waits for its end. */
    public void stream(String node, String mailbox, long intervalMicros, long count) {
        stream(node, mailbox, intervalMicros + " " + count);
    }

    private void stream(String node, String mailbox, String numbers) {
        streamMarks.put(node + " " + mailbox, transcript.mark());
        command("stream " + node + " " + mailbox + " " + numbers, "PROBE OK stream " + node + " " + mailbox, COMMAND_TIMEOUT);
    }

    /** Waits until a stream started with a count has made all its sends. */
    public StreamTotals awaitStreamDone(String node, String mailbox, Duration timeout) {
        long mark = streamMarks.getOrDefault(node + " " + mailbox, 0L);
        return totals(transcript.awaitLineAfter(mark, "PROBE STREAM-DONE " + node + " " + mailbox + " ", timeout, "the end of the stream"));
    }

    /** Stops the stream, has the sender's record written to {@code file}, returns its totals. */
    public StreamTotals streamStop(String node, String mailbox, Path file) {
        return totals(command("stream-stop " + node + " " + mailbox + " " + file, "PROBE STREAM " + node + " " + mailbox + " ",
                COMMAND_TIMEOUT));
    }

    public Resources resources() {
        Map<String, String> v = keyValues(command("resources", "PROBE RESOURCES ", COMMAND_TIMEOUT));
        return new Resources(Integer.parseInt(v.get("threads")), Integer.parseInt(v.get("sockets")), Long.parseLong(v.get("heapUsed")),
                v.getOrDefault("names", ""));
    }

    /** SIGTERM to the node's PID; SIGKILL when it has not ended within 10 s. */
    public void stop() throws InterruptedException {
        process.toHandle().destroy(); // through the handle: Process.destroy() would also close our end of stdout
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
        }
        RUNNING.remove(this);
    }

    /** SIGKILL to the node's PID, at once. */
    public void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        RUNNING.remove(this);
    }

    /** SIGSTOP: the node stops dead, its sockets open (a hung host, as its peers see it). */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze}. */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    /** Kills the node if it still runs: also after a failed test. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        RUNNING.remove(this);
        try {
            stdin.close();
        } catch (IOException alreadyClosed) {
            // the node is gone: its end of the pipe with it
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + out);
        }
    }

    private synchronized void send(String line) {
        try {
            stdin.write(line + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw transcript.failure("sending '" + line + "' (" + e + ")", Duration.ZERO);
        }
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                transcript.add(line);
            }
        } catch (IOException e) {
            transcript.add("(stdout unreadable: " + e + ")");
        } finally {
            transcript.ended();
        }
    }

    private static StreamTotals totals(String line) {
        Map<String, String> v = keyValues(line);
        return new StreamTotals(Long.parseLong(v.get("sent")), Long.parseLong(v.get("ok")), Long.parseLong(v.get("failed")));
    }

    private static Map<String, String> keyValues(String line) {
        Map<String, String> v = new HashMap<>();
        for (String word : line.split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                v.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return v;
    }
}
