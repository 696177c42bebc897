package io.gencluster.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.testing.FreePorts;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bundles as JPMS modules: each jar is a named module, and three nodes started with
 * {@code java --module-path api,runtime,epmd,dist-kit,dist-tcp,discovery-kit,discovery-static -m io.gencluster.runtime/...}
 * (no OSGi framework anywhere, configured by the same .cfg files) form a full mesh on loopback.
 */
class PlainJavaModulesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String MAIN = "io.gencluster.runtime/io.gencluster.runtime.StandaloneNode";
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopEveryProcess() throws InterruptedException {
        for (Process p : processes) {
            p.destroy(); // SIGTERM: the node's shutdown hook closes its connections
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void everyBundleJarIsANamedModuleThatNeedsNoOsgiFramework() {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String jar : System.getProperty("our.bundles").split(File.pathSeparator)) {
            Set<ModuleReference> found = ModuleFinder.of(Path.of(jar)).findAll();
            assertEquals(1, found.size(), jar);
            ModuleDescriptor d = found.iterator().next().descriptor();
            assertFalse(d.isAutomatic(), jar + " has a module-info");
            expected.put(d.name(), jar);
            for (ModuleDescriptor.Requires r : d.requires()) {
                if (r.name().equals("osgi.core")) {
                    assertTrue(r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC),
                            d.name() + " needs osgi.core only at compile time: " + r);
                }
            }
        }
        assertEquals(Set.of("io.gencluster.api", "io.gencluster.runtime", "io.gencluster.dist.kit", "io.gencluster.dist.tcp",
                "io.gencluster.discovery.kit",
                "io.gencluster.discovery.staticpeers", "io.gencluster.discovery.dns", "io.gencluster.epmd",
                "io.gencluster.discovery.epmdall", "io.gencluster.shell", "io.gencluster.events"), expected.keySet());
        ModuleDescriptor api = ModuleFinder.of(Path.of(expected.get("io.gencluster.api"))).findAll().iterator().next().descriptor();
        assertEquals(Set.of("io.gencluster.api", "io.gencluster.spi"), api.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        ModuleDescriptor epmd = ModuleFinder.of(Path.of(expected.get("io.gencluster.epmd"))).findAll().iterator().next().descriptor();
        assertEquals(Set.of("io.gencluster.epmd"), epmd.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    }

    @Test
    void theRuntimeBundleRequiresNoStrategyBundleSoSwappingOneNeverRestartsIt() throws Exception {
        // a service-loader requirement would wire the runtime to every strategy bundle: uninstalling
        // one would refresh the runtime, restarting the cluster component (no hot swap)
        String runtimeJar = java.util.Arrays.stream(System.getProperty("our.bundles").split(File.pathSeparator))
                .filter(j -> Path.of(j).getFileName().toString().startsWith("runtime-")).findFirst().orElseThrow();
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(runtimeJar)) {
            String requires = String.valueOf(jar.getManifest().getMainAttributes().getValue("Require-Capability"));
            for (String clause : requires.split(",(?=[a-z.]+;)")) {
                if (clause.startsWith("osgi.serviceloader;")) {
                    assertTrue(clause.contains("effective:=active"), "a service-loader requirement the framework would wire: " + clause);
                }
            }
            assertTrue(requires.contains("osgi.serviceloader;"), "the module still declares its service uses: " + requires);
        }
    }

    @Test
    void threeNodesOnTheModulePathFormAFullMesh() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("work.dir"), "plain-" + System.nanoTime()));
        List<String> names = List.of("p1", "p2", "p3");
        Map<String, Integer> ports = FreePorts.forNames(names.toArray(String[]::new));
        Map<String, BlockingQueue<String>> out = new LinkedHashMap<>();
        for (String n : names) {
            Path dir = Files.createDirectories(work.resolve(n));
            Files.writeString(dir.resolve("io.gencluster.dist.tcp.cfg"), "node.name = " + n + "@127.0.0.1\n"
                    + "bind.address = 127.0.0.1\nport = " + ports.get(n) + "\ncookie = plain-cookie-for-tests\n"
                    + "epmd.register = false\nmesh.transitive = false\n");
            String others = names.stream().filter(o -> !o.equals(n)).map(o -> o + "@127.0.0.1:" + ports.get(o))
                    .collect(Collectors.joining(", "));
            Files.writeString(dir.resolve("io.gencluster.discovery.static.cfg"), "nodes = " + others + "\n");
            Files.writeString(dir.resolve("io.gencluster.cfg"), "refresh.interval.ms = 500\nreconnect.backoff.initial.ms = 100\n"
                    + "reconnect.backoff.max.ms = 500\n");
            out.put(n, start(dir, work.resolve(n + ".log")));
        }
        for (String n : names) {
            Set<String> want = new TreeSet<>();
            names.stream().filter(o -> !o.equals(n)).forEach(o -> want.add(o + "@127.0.0.1"));
            awaitLine(out.get(n), "members " + want, n);
        }
    }

    @Test
    void aBadValueStopsTheNodeNamingTheKeyAndTheValue() throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("work.dir"), "plain-bad-" + System.nanoTime()));
        Files.writeString(dir.resolve("io.gencluster.dist.tcp.cfg"), "node.name = x@127.0.0.1\nport = many\ncookie = c-cookie-for-the-tests\n");
        Process p = new ProcessBuilder(command(dir)).redirectErrorStream(true).start();
        processes.add(p);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("ERROR configuration io.gencluster.dist.tcp: key 'port' has invalid value 'many'"), output);
    }

    private static List<String> command(Path configDir) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "--module-path", System.getProperty("plain.module.path"), "-m", MAIN,
                configDir.toString());
    }

    private BlockingQueue<String> start(Path configDir, Path log) throws IOException {
        Process p = new ProcessBuilder(command(configDir)).redirectError(log.toFile()).start();
        processes.add(p);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>(10_000);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.offer(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "stdout-" + configDir.getFileName());
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static void awaitLine(BlockingQueue<String> lines, String expected, String node) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (line.equals(expected)) {
                    return;
                }
            }
        }
        throw new AssertionError(node + ": no line '" + expected + "' within " + TIMEOUT + "; saw " + seen);
    }
}
