package io.gencluster.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void aDemoStoppedHalfwayStopsItsNodesAndLeavesNoTemporaryDirectory() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("work.dir"), "demo-tmp-" + System.nanoTime()));
        Path out = tmp.resolveSibling(tmp.getFileName() + ".out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("demo.classes"),
                "io.gencluster.distribution.Demo", System.getProperty("distribution.dir"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        demo.getOutputStream().close();
        List<ProcessHandle> nodes = List.of();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(out, StandardCharsets.UTF_8).contains("full mesh formed:")) {
                assertTrue(demo.isAlive() && System.nanoTime() < end, "no mesh within 120 s:\n" + Files.readString(out, StandardCharsets.UTF_8));
                Thread.sleep(50);
            }
            nodes = demo.toHandle().descendants().toList();
            assertEquals(3, nodes.size(), "the demo's node processes: " + nodes);
            demo.destroy(); // SIGTERM, as Ctrl-C's SIGINT or a closed terminal's SIGHUP: the shutdown hook runs
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo did not end within 60 s of SIGTERM");
            for (ProcessHandle n : nodes) {
                assertTrue(n.onExit().get(10, TimeUnit.SECONDS) != null && !n.isAlive(), "node " + n.pid() + " outlived the demo");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
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
