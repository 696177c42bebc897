package io.gencluster.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.epmd.EpmdClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every bundle that speaks EPMD in one module layer: nodes started with {@code api},
 * {@code runtime}, {@code epmd}, {@code dist-tcp}, {@code dist-erlang}, {@code discovery-kit} and
 * {@code discovery-epmd-all} on one module path, every one of these modules resolved into the boot
 * layer ({@code --add-modules ALL-MODULE-PATH}), no OSGi framework anywhere. JPMS refuses to make
 * a layer in which two modules hold the same package, so the node starts only while
 * {@code io.gencluster.epmd} lives in the {@code epmd} module alone.
 */
class OneModuleLayerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> MODULES = Set.of("io.gencluster.api", "io.gencluster.runtime", "io.gencluster.epmd",
            "io.gencluster.dist.tcp", "io.gencluster.dist.erlang", "io.gencluster.discovery.kit", "io.gencluster.discovery.epmdall");
    /** A line of {@code --show-module-resolution}: "root M file:..." or "N requires|binds M file:...". */
    private static final Pattern RESOLVED = Pattern.compile("^(?:root|\\S+ (?:requires|binds)) (\\S+) \\w+:.*");
    private final List<ModulePathNode> nodes = new ArrayList<>();

    @AfterEach
    void stopEveryNode() throws InterruptedException {
        for (ModulePathNode n : nodes) {
            n.close();
        }
    }

    @Test
    void twoNodesWithEveryEpmdUserInOneLayerFindEachOtherThroughTheEmbeddedPortMapper() throws Exception {
        Path work = Files.createDirectories(Path.of(System.getProperty("work.dir"), "layer-" + System.nanoTime()));
        int epmdPort = freePort(); // nothing listens there: the first node to register serves the port mapper
        List<String> names = List.of("l1", "l2");
        for (String n : names) {
            Path dir = Files.createDirectories(work.resolve(n));
            Files.writeString(dir.resolve("io.gencluster.dist.tcp.cfg"), "node.name = " + n + "@127.0.0.1\n"
                    + "bind.address = 127.0.0.1\nport = 0\ncookie = layer-cookie-for-tests\nepmd.port = " + epmdPort + "\n");
            Files.writeString(dir.resolve("io.gencluster.discovery.epmd.cfg"), "epmd.port = " + epmdPort + "\n");
            Files.writeString(dir.resolve("io.gencluster.cfg"), "refresh.interval.ms = 500\nreconnect.backoff.initial.ms = 100\n"
                    + "reconnect.backoff.max.ms = 500\n");
            nodes.add(ModulePathNode.start(n, System.getProperty("layer.module.path"),
                    List.of("--show-module-resolution", "--add-modules", "ALL-MODULE-PATH"), dir, work.resolve(n + ".log")));
        }
        for (int i = 0; i < names.size(); i++) {
            String self = names.get(i);
            ModulePathNode node = nodes.get(i);
            Set<String> others = new TreeSet<>();
            names.stream().filter(o -> !o.equals(self)).forEach(o -> others.add(o + "@127.0.0.1"));
            node.awaitLine(("members " + others)::equals, TIMEOUT);
            assertTrue(resolved(node.seen()).containsAll(MODULES), self + "'s boot layer holds " + resolved(node.seen())
                    + ", not all of " + MODULES);
        }
        // the node that lost the race to serve the port mapper registers with the winner's
        EpmdClient epmd = new EpmdClient("127.0.0.1", epmdPort, Duration.ofSeconds(2));
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Set<String> registered = epmd.names().keySet();
        while (!registered.equals(Set.of("l1", "l2")) && System.nanoTime() < deadline) {
            Thread.sleep(50); // polling the port mapper, bounded by the deadline
            registered = epmd.names().keySet();
        }
        assertEquals(Set.of("l1", "l2"), registered);
    }

    private static Set<String> resolved(List<String> output) {
        Set<String> modules = new TreeSet<>();
        for (String line : output) {
            Matcher m = RESOLVED.matcher(line);
            if (m.matches()) {
                modules.add(m.group(1));
            }
        }
        return modules;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
