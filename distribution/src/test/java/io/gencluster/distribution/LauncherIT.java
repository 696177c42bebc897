package io.gencluster.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The built distribution run as a user runs it: {@code bin/gen-cluster} from
 * {@code target/gen-cluster-<version>/}, one process per node, each configured by the .cfg files
 * of its own conf directory, stdin closed (non-interactive). Every process is stopped by its PID
 * in teardown.
 */
class LauncherIT {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path DIST = Path.of(System.getProperty("distribution.dir"));

    private final List<LaunchedNode> nodes = new ArrayList<>();
    private Path work;

    @BeforeEach
    void setUp(TestInfo test) throws IOException {
        work = Files.createDirectories(Path.of(System.getProperty("work.dir"), test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime()));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (LaunchedNode n : nodes) {
            n.process.destroy();
        }
        for (LaunchedNode n : nodes) {
            if (!n.process.waitFor(15, TimeUnit.SECONDS)) {
                n.process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void twoNodesStartedByTheLauncherFromCfgFilesFormAClusterAndOneStopsCleanlyByItsPid() throws Exception {
        int[] ports = FreePorts.distinct(2);
        int portA = ports[0];
        int portB = ports[1];
        String peers = "nodes = a@127.0.0.1:" + portA + ", b@127.0.0.1:" + portB;
        LaunchedNode a = start("a@127.0.0.1", portA, conf("a", peers));
        LaunchedNode b = start("b@127.0.0.1", portB, conf("b", peers));

        a.awaitLine("members of a@127.0.0.1: b@127.0.0.1");
        b.awaitLine("members of b@127.0.0.1: a@127.0.0.1");
        assertTrue(a.process.isAlive() && b.process.isAlive(), "stdin at its end did not stop a non-interactive node");
        assertNoEventAdminDeliveryThreads(a);
        assertNoEventAdminDeliveryThreads(b);

        stopCleanly(b);
        a.awaitLine("members of a@127.0.0.1: (none)");
        b.awaitLine("cluster of b@127.0.0.1 stopped"); // the framework stopped b's components on the way out
        assertEquals(143, b.process.exitValue(), "exit status of a JVM ended by SIGTERM after its shutdown hooks ran");

        stopCleanly(a);
        a.awaitLine("cluster of a@127.0.0.1 stopped");
        for (LaunchedNode n : List.of(a, b)) {
            n.awaitEnd();
            // each stopped right after a cluster event (b after its node up, a after its node down): no
            // event may still be in EventAdmin's delivery threads when they stop
            String stopNoise = n.output().lines()
                    .filter(l -> l.contains("Event Task Processing Interrupted") || l.contains("RejectedExecutionException"))
                    .collect(Collectors.joining("\n"));
            assertEquals("", stopNoise, "a clean stop cuts no event delivery short");
        }
    }

    /**
     * {@code cluster:send} typed into one node's Gogo console shows up on the other node's stdout,
     * printed by the distribution's mailbox {@code inbox}, and the sender is told what "queued" means.
     */
    @Test
    void aMessageTypedIntoOneNodesConsoleIsPrintedByTheOther() throws Exception {
        int[] ports = FreePorts.distinct(2);
        int portA = ports[0];
        int portB = ports[1];
        String peers = "nodes = a@127.0.0.1:" + portA + ", b@127.0.0.1:" + portB;
        LaunchedNode a = start("a@127.0.0.1", portA, conf("a", peers), "--interactive");
        LaunchedNode b = start("b@127.0.0.1", portB, conf("b", peers));
        a.awaitLine("members of a@127.0.0.1: b@127.0.0.1", true); // on a's console the prompt "g! " may begin the line
        b.awaitLine("members of b@127.0.0.1: a@127.0.0.1");

        try (var console = new java.io.PrintStream(a.process.getOutputStream(), true, StandardCharsets.UTF_8)) {
            // the console reads before every bundle is up: ask until the cluster commands answer
            console.println("cluster:status");
            while (!a.sawWithin("DISCOVERED", 1)) { // the header of the status table
                console.println("cluster:status");
            }
            console.println("cluster:send b@127.0.0.1 inbox hello from a");
            b.awaitLine("message to inbox from a@127.0.0.1: hello from a");
            a.awaitLine("queued 12 bytes (text as UTF-8) for mailbox inbox on b@127.0.0.1; delivery is not confirmed:"
                    + " a mailbox nobody handles there drops it", true);
            assertNoEventAdminDeliveryThreads(a); // the commands typed were not posted to EventAdmin either
        }
    }

    /**
     * Nothing went through EventAdmin's asynchronous delivery: the distribution posts no events (the
     * cluster's are sent on the events bundle's own thread), and the framework's and the console's
     * are kept out by {@code org.apache.felix.eventadmin.IgnoreTopic}. Felix EventAdmin starts a
     * delivery thread ({@code EventAdminAsyncThread #n}) for the first event posted from each
     * thread; one still delivering when EventAdmin stops is interrupted and prints "Event Task
     * Processing Interrupted". Read from the running node's thread dump, taken with the JDK's jcmd.
     */
    private void assertNoEventAdminDeliveryThreads(LaunchedNode node) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path out = work.resolve("threads-" + node.process.pid() + ".txt");
        Process dump = new ProcessBuilder(jcmd.toString(), String.valueOf(node.process.pid()), "Thread.print")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertTrue(dump.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "jcmd did not end");
        } finally {
            dump.destroyForcibly();
        }
        String threads = Files.readString(out);
        assertTrue(threads.contains("\"main\""), "no thread dump of node " + node.process.pid() + ":\n" + threads);
        String delivering = threads.lines().filter(l -> l.startsWith("\"EventAdminAsyncThread"))
                .collect(Collectors.joining("\n"));
        assertEquals("", delivering, "threads EventAdmin started to deliver posted events");
    }

    @Test
    void theArchiveHoldsTheDirectoryUnderOneTopDirectory() throws Exception {
        Path archive = DIST.resolveSibling(DIST.getFileName() + ".tar.gz");
        Process tar = new ProcessBuilder("tar", "-tzf", archive.toString()).redirectErrorStream(true).start();
        Set<String> entries = new TreeSet<>(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        assertEquals(0, tar.waitFor());
        Set<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(DIST)) {
            // data/ is what nodes started from the directory write (caches, the class-data archive)
            walk.filter(Files::isRegularFile).filter(f -> !DIST.relativize(f).startsWith("data"))
                    .forEach(f -> files.add(DIST.getFileName() + "/" + DIST.relativize(f)));
        }
        assertTrue(files.contains(DIST.getFileName() + "/bin/gen-cluster") && files.contains(DIST.getFileName() + "/lib/felix.jar"), files.toString());
        entries.removeIf(e -> e.endsWith("/"));
        assertEquals(files, entries);
    }

    @Test
    void aBadOptionIsRefusedNamingIt() throws Exception {
        Process p = new ProcessBuilder(DIST.resolve("bin/gen-cluster").toString(), "--port", "http").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor());
        assertTrue(out.contains("--port 'http' is not a port number"), out);
    }

    /**
     * Class-data sharing: a node stopped cleanly writes the archive of the classes it loaded, and the
     * nodes started next from the distribution, two at once, both map it (read from their memory
     * maps); a part left by a node killed while writing it, its header never written, is deleted
     * rather than used.
     */
    @Test
    void aNodeStoppedCleanlyWritesTheClassDataArchiveTheNextStartsMap() throws Exception {
        int[] ports = FreePorts.distinct(2);
        String peers = "nodes = a@127.0.0.1:" + ports[0] + ", b@127.0.0.1:" + ports[1];
        Path confA = conf("a", peers);
        LaunchedNode first = start("a@127.0.0.1", ports[0], confA);
        first.awaitLine("members of a@127.0.0.1: (none)");
        assertEquals(Set.of(), archivesMapped(first), "no archive yet");
        stopCleanly(first);
        Set<String> written = fileNames(cds());
        assertEquals(1, written.size(), written.toString());
        String part = written.iterator().next();
        assertTrue(part.endsWith("." + first.process.pid() + ".jsa.part"), part);
        String key = part.substring(0, part.indexOf('.'));
        Files.write(cds().resolve(key + ".999999999.jsa.part"), new byte[8192]); // cut short: no header

        LaunchedNode a = start("a@127.0.0.1", ports[0], confA);
        LaunchedNode b = start("b@127.0.0.1", ports[1], conf("b", peers));
        a.awaitLine("members of a@127.0.0.1: b@127.0.0.1");
        b.awaitLine("members of b@127.0.0.1: a@127.0.0.1");
        Set<Path> archive = Set.of(cds().resolve(key + ".jsa"));
        assertEquals(archive, archivesMapped(a));
        assertEquals(archive, archivesMapped(b));
        assertEquals(Set.of(key + ".jsa"), fileNames(cds()), "the complete part kept as the archive, the cut one deleted");
    }

    /**
     * A node whose JVM options shape the archive differently (here without compressed oops, as a
     * heap over 32 GiB runs) cannot map another's: it writes and then maps one of its own.
     */
    @Test
    void aNodeWithOtherJvmOptionsWritesAndMapsAClassDataArchiveOfItsOwn() throws Exception {
        int port = FreePorts.distinct(1)[0];
        Path conf = conf("a", "nodes = a@127.0.0.1:" + port);
        List<String> starts = List.of("", "-XX:-UseCompressedOops", "-XX:-UseCompressedOops");
        for (int i = 0; i < starts.size(); i++) {
            LaunchedNode node = start("a@127.0.0.1", port, conf, "--non-interactive", starts.get(i));
            node.awaitLine("members of a@127.0.0.1: (none)");
            if (i == 2) {
                Set<Path> mapped = archivesMapped(node);
                assertEquals(1, mapped.size(), "the third start maps an archive: " + mapped + " of " + fileNames(cds()));
            }
            stopCleanly(node);
        }
        assertEquals(2, fileNames(cds()).stream().map(f -> f.substring(0, f.indexOf('.'))).distinct().count(),
                "an archive or part for each set of options: " + fileNames(cds()));
    }

    /**
     * The launcher starts a node's heap at 16 MiB, so that its start need not fill a large young
     * generation before the first collection, unless {@code JAVA_OPTS} sizes the initial heap or
     * caps the heap below 16 MiB (the JVM would refuse to start): read from each running JVM's flags.
     */
    @Test
    void aNodeStartsOnASmallHeapUnlessItsJvmOptionsSizeIt() throws Exception {
        int port = FreePorts.distinct(1)[0];
        Path conf = conf("a", "nodes = a@127.0.0.1:" + port);
        Map<String, Long> initialHeap = new LinkedHashMap<>(); // options of a start → the JVM's InitialHeapSize
        initialHeap.put("", 16L << 20);
        initialHeap.put("-Xms64m", 64L << 20);
        initialHeap.put("-Xmx12m", 12L << 20);
        for (Map.Entry<String, Long> start : initialHeap.entrySet()) {
            LaunchedNode node = start("a@127.0.0.1", port, conf, "--non-interactive", start.getKey());
            node.awaitLine("members of a@127.0.0.1: (none)");
            assertEquals(start.getValue(), jvmFlag(node, "InitialHeapSize"), "with extra JVM options '" + start.getKey() + "'");
            stopCleanly(node);
        }
    }

    /** A numeric flag of the node's running JVM, as {@code jcmd PID VM.flags} prints it. */
    private static long jvmFlag(LaunchedNode node, String flag) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(node.process.pid()), "VM.flags").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "jcmd did not end");
        Matcher m = Pattern.compile("-XX:" + flag + "=(\\d+)").matcher(out);
        assertTrue(m.find(), "no " + flag + " in: " + out);
        return Long.parseLong(m.group(1));
    }

    /**
     * SIGTERM to the node's PID (the java process the script exec'd), and waits for it to end;
     * through the handle, as Process.destroy() would also close our end of its stdout.
     */
    private static void stopCleanly(LaunchedNode node) throws InterruptedException {
        node.process.toHandle().destroy();
        assertTrue(node.process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "node " + node.process.pid() + " did not stop");
    }

    /** The files of {@link #cds()} a node's JVM has mapped. */
    private Set<Path> archivesMapped(LaunchedNode node) throws IOException {
        String cds = cds().toString() + "/";
        return Files.readAllLines(Path.of("/proc", String.valueOf(node.process.pid()), "maps")).stream()
                .map(l -> l.substring(l.lastIndexOf(' ') + 1)).filter(f -> f.startsWith(cds)).map(Path::of)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** This test's class-data archive directory ({@code GEN_CLUSTER_CDS}), so no test sees another's. */
    private Path cds() {
        return work.resolve("cds");
    }

    private Path conf(String name, String peers) throws IOException {
        return TestConf.write(work, name, peers, "launcher-test-cookie");
    }

    private LaunchedNode start(String name, int port, Path conf) throws IOException {
        return start(name, port, conf, "--non-interactive");
    }

    /** @param console {@code --interactive}: a Gogo console on the stdin the test writes; else stdin closed */
    private LaunchedNode start(String name, int port, Path conf, String console) throws IOException {
        return start(name, port, conf, console, "");
    }

    /** @param jvmOptions added to the JVM options every node of these tests gets */
    private LaunchedNode start(String name, int port, Path conf, String console, String jvmOptions) throws IOException {
        String n = name.substring(0, name.indexOf('@'));
        Path log = work.resolve(n + ".log");
        ProcessBuilder pb = new ProcessBuilder(DIST.resolve("bin/gen-cluster").toString(), "--name", name, "--port", String.valueOf(port),
                "--conf", conf.toString(), "--data", work.resolve(n + "-data").toString(), console)
                .redirectError(log.toFile());
        pb.environment().put("JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dfelix.fileinstall.poll=200 " + jvmOptions);
        pb.environment().put("GEN_CLUSTER_CDS", cds().toString());
        LaunchedNode node = new LaunchedNode(pb.start(), log);
        nodes.add(node);
        if (!console.equals("--interactive")) {
            node.process.getOutputStream().close();
        }
        Thread reader = new Thread(node::read, "launcher-it-" + n);
        reader.setDaemon(true);
        reader.start();
        return node;
    }
}
