package io.gencluster.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What {@code bin/demo} runs once the distribution is built: the demo driver against the built
 * distribution. It forms its mesh, stops and restarts a node, exits 0, prints no terminal escape
 * sequences, and leaves nothing in the temporary directory; stopped halfway, it stops its nodes
 * and still leaves nothing. The driver's process is killed by its PID if it outlives its bound (it
 * stops its own nodes by theirs).
 */
class DemoIT {

    /** Put after the demo's last line of output. */
    private static final String END = new String("end of the demo's output");

    @Test
    void theDemoFormsItsMeshExitsZeroAndLeavesNoTemporaryDirectory() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("work.dir"), "demo-tmp-" + System.nanoTime()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("demo.classes"),
                "io.gencluster.distribution.Demo", System.getProperty("distribution.dir"))
                .redirectErrorStream(true).redirectOutput(tmp.resolveSibling(tmp.getFileName() + ".out").toFile()).start();
        demo.getOutputStream().close();
        try {
            assertTrue(demo.waitFor(120, TimeUnit.SECONDS), "the demo did not end within 120 s");
            String text = Files.readString(tmp.resolveSibling(tmp.getFileName() + ".out"), StandardCharsets.UTF_8);
            assertEquals(0, demo.exitValue(), text);
            assertTrue(text.contains("full mesh formed again"), text);
            assertTrue(text.indexOf('\u001b') < 0, "escape sequences in the output:\n" + text);
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "left behind in the temporary directory");
            }
        } finally {
            demo.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }

    /** Takes the demo's lines until one contains {@code text}; fails if its output ends or the deadline passes first. */
    private static void awaitLine(BlockingQueue<String> lines, String text, long deadline, StringBuffer output) throws InterruptedException {
        String line;
        do {
            line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertTrue(line != null && line != END, "no line with '" + text + "' within 120 s:\n" + output);
        } while (!line.contains(text));
    }

    @Test
    void aDemoStoppedHalfwayStopsItsNodesAndLeavesNoTemporaryDirectory() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("work.dir"), "demo-tmp-" + System.nanoTime()));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("demo.classes"),
                "io.gencluster.distribution.Demo", System.getProperty("distribution.dir"))
                .redirectErrorStream(true).start();
        demo.getOutputStream().close();
        // the demo's lines as they come, and all of them for the messages; END once its output ends
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuffer output = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = demo.inputReader(StandardCharsets.UTF_8)) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    output.append(line).append('\n');
                    lines.add(line);
                }
            } catch (IOException e) {
                output.append("(reading the demo's output failed: ").append(e).append(")\n");
            } finally {
                lines.add(END);
            }
        }, "demo-output");
        reader.setDaemon(true);
        reader.start();
        List<ProcessHandle> nodes = List.of();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            awaitLine(lines, "full mesh formed:", end, output);
            nodes = demo.toHandle().descendants().toList();
            assertEquals(3, nodes.size(), "the demo's node processes: " + nodes);
            // stopped as it starts n3 again: the restart races the shutdown hook
            awaitLine(lines, "starting n3 again", end, output);
            demo.toHandle().destroy(); // SIGTERM (as Ctrl-C or a closed terminal), our end of its output left open
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo did not end within 60 s of SIGTERM");
            for (ProcessHandle n : nodes) {
                assertTrue(n.onExit().get(10, TimeUnit.SECONDS) != null && !n.isAlive(), "node " + n.pid() + " outlived the demo");
            }
            reader.join(TimeUnit.SECONDS.toMillis(10)); // the rest of its output, up to its last line
            String text = output.toString();
            // also a node the demo was starting as it was stopped (n3's restart): none may outlive it
            List<ProcessHandle> outliving = ProcessHandle.allProcesses()
                    .filter(h -> h.info().commandLine().map(c -> c.contains(tmp.toString())).orElse(false)).toList();
            outliving.forEach(ProcessHandle::destroyForcibly);
            assertEquals(List.of(), outliving, "processes of the demo that outlived it:\n" + text);
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "left behind in the temporary directory:\n" + text);
            }
            assertTrue(text.contains("stopped before the end: nodes stopped"), text);
        } finally {
            nodes.forEach(ProcessHandle::destroyForcibly);
            demo.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }
}
