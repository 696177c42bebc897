package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.full;
import static io.gencluster.itests.EmbeddedNodes.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.itests.node.FelixNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Every PID from a .cfg file, as a user runs it: a real Felix framework whose only configuration
 * is what FileInstall reads from a watched directory. Created → the component starts; edited →
 * it reconfigures, and connections to other nodes stay up; deleted → it stops. Factory
 * configurations ({@code io.gencluster.discovery.static-east.cfg}) make one service each.
 */
class ConfigFilesIT {

    private static final Duration TIMEOUT = EmbeddedNodes.TIMEOUT;
    private static final String COOKIE = "c00kie-for-integration-tests";

    private EmbeddedNodes cluster;
    private Path conf;
    private NodeEvents events;

    @BeforeEach
    void setUp(TestInfo test) throws Exception {
        cluster = new EmbeddedNodes(test.getTestMethod().orElseThrow().getName());
        conf = Files.createDirectories(cluster.work().resolve("conf"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (events != null) {
            events.close();
        }
        cluster.close();
    }

    @Test
    void eachPidStartsFromItsFileReconfiguresWhenEditedWithoutDroppingConnectionsAndStopsWhenDeleted() throws Exception {
        cluster.start("b", COOKIE);
        cluster.start("c", COOKIE);
        FelixNode a = cluster.startWatching("a", conf);
        events = new NodeEvents(a);

        write("io.gencluster.dist.tcp.cfg", transport("a"));
        awaitService(a, "io.gencluster.spi.Dist", "(gencluster.node=a@127.0.0.1)");
        write("io.gencluster.discovery.static.cfg", "nodes = " + peer("b"));
        awaitService(a, "io.gencluster.spi.Discovery", "(service.pid=io.gencluster.discovery.static)");
        write("io.gencluster.discovery.dns.cfg", dns("nodes.cluster.test")); // fails, so it adds no peers
        awaitService(a, "io.gencluster.spi.Discovery", "(service.pid=io.gencluster.discovery.dns)");
        write("io.gencluster.cfg", runtime());
        awaitMembers(a, names("b"));
        assertTrue(property(a, "io.gencluster.spi.Discovery", "(service.pid=io.gencluster.discovery.static)",
                "felix.fileinstall.filename").endsWith("io.gencluster.discovery.static.cfg"), "the service's configuration came from the file");

        // a discovery file edited: c joins, b's connection is not touched
        write("io.gencluster.discovery.static.cfg", "nodes = " + peer("b") + ", " + peer("c"));
        awaitMembers(a, names("b", "c"));
        assertEquals(0, events.count("NODE_DOWN " + full("b")), "b's connection stayed up: " + events.events());

        // the runtime's file edited: a loop that uses DNS discovery only, which finds nobody; the
        // connections stay (removed.nodes = keep), the static list's service too (it is just not used)
        write("io.gencluster.cfg", runtime() + "\ndiscovery.target = (gencluster.discovery=dns)");
        events.await("a refresh with DNS only", () -> a.discovered().equals(Optional.of(Set.of())), a::describe, TIMEOUT);
        assertEquals(1, references(a, "io.gencluster.spi.Discovery", "(service.pid=io.gencluster.discovery.static)").length);
        assertEquals(Optional.of(names("b", "c")), a.members(), "no connection dropped when the runtime reconfigured");
        assertEquals(0, events.count("NODE_DOWN " + full("b")) + events.count("NODE_DOWN " + full("c")), events.events().toString());

        // deleted, one by one: each component stops
        delete("io.gencluster.discovery.static.cfg");
        awaitNoService(a, "io.gencluster.spi.Discovery", "(service.pid=io.gencluster.discovery.static)");
        delete("io.gencluster.discovery.dns.cfg");
        awaitNoService(a, "io.gencluster.spi.Discovery", null);
        delete("io.gencluster.cfg");
        awaitNoService(a, "io.gencluster.api.Cluster", null);
        delete("io.gencluster.dist.tcp.cfg");
        awaitNoService(a, "io.gencluster.spi.Dist", null);
        List<String> deletions = List.of("DELETED io.gencluster.discovery.static", "DELETED io.gencluster.discovery.dns",
                "DELETED io.gencluster", "DELETED io.gencluster.dist.tcp");
        // ConfigAdmin tells each listener on its own, so ours may hear of the last one after SCR acted on it
        events.await("a DELETED event per file", () -> events.events().containsAll(deletions), () -> "", TIMEOUT);
    }

    @Test
    void twoFactoryStaticListsEachContributePeersAndTwoDnsDomainsEachGetAService() throws Exception {
        cluster.start("b", COOKIE);
        cluster.start("c", COOKIE);
        FelixNode a = cluster.startWatching("a", conf);
        events = new NodeEvents(a);
        write("io.gencluster.dist.tcp.cfg", transport("a"));
        write("io.gencluster.cfg", runtime());
        write("io.gencluster.discovery.static-east.cfg", "nodes = " + peer("b"));
        write("io.gencluster.discovery.static-west.cfg", "nodes = " + peer("c"));
        awaitMembers(a, names("b", "c"));
        assertEquals(Set.of("io.gencluster.discovery.static~east", "io.gencluster.discovery.static~west"),
                pids(a, "(gencluster.discovery=static)"));
        events.await("both lists discovered", () -> a.discovered().equals(Optional.of(names("b", "c"))), a::describe, TIMEOUT);

        // two DNS domains, each its own service with its own settings (no server answers: they fail, and
        // a failing strategy takes nothing from the others)
        write("io.gencluster.discovery.dns-web.cfg", dns("web.cluster.test"));
        write("io.gencluster.discovery.dns-api.cfg", dns("api.cluster.test"));
        events.await("two DNS services", () -> pids(a, "(gencluster.discovery=dns)").size() == 2,
                () -> pids(a, "(gencluster.discovery=dns)"), TIMEOUT);
        assertEquals(Set.of("io.gencluster.discovery.dns~web", "io.gencluster.discovery.dns~api"), pids(a, "(gencluster.discovery=dns)"));
        assertEquals("api.cluster.test", property(a, "io.gencluster.spi.Discovery", "(service.pid=io.gencluster.discovery.dns~api)", "domain"));

        // one list deleted: its service goes, the other's peers stay discovered
        delete("io.gencluster.discovery.static-east.cfg");
        events.await("east's service gone", () -> pids(a, "(gencluster.discovery=static)").size() == 1,
                () -> pids(a, "(gencluster.discovery=static)"), TIMEOUT);
        assertEquals(Set.of("io.gencluster.discovery.static~west"), pids(a, "(gencluster.discovery=static)"));
        events.await("only west's peers discovered", () -> a.discovered().equals(Optional.of(names("c"))), a::describe, TIMEOUT);
    }

    @Test
    void aMisspeltKeyInAnyPidIsLoggedOnceNamingTheSettingMeant() throws Exception {
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.gencluster.runtime.ConfigurationKeysCheck");
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                warnings.add(r.getLevel() + " " + new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            FelixNode a = cluster.startWatching("a", conf);
            events = new NodeEvents(a);
            write("io.gencluster.dist.tcp.cfg", transport("a") + "\ntick.timout.ms = 3000");
            write("io.gencluster.cfg", runtime() + "\nrefresh.intervall.ms = 500");
            String runtimeTypo = "WARNING io.gencluster: 'refresh.intervall.ms' is not a setting of io.gencluster and is ignored;"
                    + " did you mean 'refresh.interval.ms'?";
            String transportTypo = "WARNING io.gencluster.dist.tcp: 'tick.timout.ms' is not a setting of io.gencluster.dist.tcp"
                    + " and is ignored; did you mean 'tick.timeout.ms'?";
            events.await("both typos logged", () -> warnings.contains(runtimeTypo) && warnings.contains(transportTypo),
                    () -> warnings, TIMEOUT);
            // the same file saved again with the same typo: nothing new to say
            write("io.gencluster.cfg", runtime() + "\nrefresh.intervall.ms = 500\n# saved again");
            awaitService(a, "io.gencluster.api.Cluster", "(objectClass=io.gencluster.api.Cluster)");
            write("io.gencluster.discovery.static.cfg", "nodes = z@127.0.0.1:9"); // a later event, after the save
            awaitService(a, "io.gencluster.spi.Discovery", "(service.pid=io.gencluster.discovery.static)");
            assertEquals(1, warnings.stream().filter(runtimeTypo::equals).count(), warnings.toString());
        } finally {
            log.removeHandler(capture);
        }
    }

    private String transport(String name) {
        return String.join("\n", "node.name = " + full(name), "bind.address = 127.0.0.1", "port = 0", "cookie = " + COOKIE,
                "tick.ms = 200", "tick.timeout.ms = 2000", "epmd.register = false", "mesh.transitive = false");
    }

    private static String runtime() {
        return String.join("\n", "refresh.interval.ms = 300", "reconnect.backoff.initial.ms = 100", "reconnect.backoff.max.ms = 500");
    }

    private static String dns(String domain) {
        // a loopback port nothing listens on: every query fails at once
        return String.join("\n", "domain = " + domain, "servers = 127.0.0.1:9", "timeout.ms = 500");
    }

    private String peer(String name) {
        return full(name) + ":" + cluster.ports.get(name);
    }

    /** Writes the file whole (a temporary file moved into place), as an editor saving it would. */
    private void write(String file, String content) throws IOException {
        Path tmp = conf.resolve(file + ".tmp");
        Files.writeString(tmp, content + "\n");
        Files.move(tmp, conf.resolve(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void delete(String file) throws IOException {
        Files.delete(conf.resolve(file));
    }

    private void awaitMembers(FelixNode node, Set<String> expected) throws InterruptedException {
        events.await("members " + expected, () -> node.members().equals(Optional.of(expected)), node::describe, TIMEOUT);
    }

    private void awaitService(FelixNode node, String type, String filter) throws InterruptedException {
        events.await(type + " " + filter, () -> references(node, type, filter).length > 0, node::bundleStates, TIMEOUT);
    }

    private void awaitNoService(FelixNode node, String type, String filter) throws InterruptedException {
        events.await("no " + type, () -> references(node, type, filter).length == 0,
                () -> Arrays.toString(references(node, type, filter)), TIMEOUT);
    }

    private static ServiceReference<?>[] references(FelixNode node, String type, String filter) {
        try {
            ServiceReference<?>[] refs = node.context().getServiceReferences(type, filter);
            return refs == null ? new ServiceReference<?>[0] : refs;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    private static Set<String> pids(FelixNode node, String filter) {
        Set<String> pids = new TreeSet<>();
        for (ServiceReference<?> r : references(node, "io.gencluster.spi.Discovery", filter)) {
            pids.add(String.valueOf(r.getProperty("service.pid")));
        }
        return pids;
    }

    private static String property(FelixNode node, String type, String filter, String key) {
        ServiceReference<?>[] refs = references(node, type, filter);
        assertEquals(1, refs.length, type + " " + filter);
        return String.valueOf(refs[0].getProperty(key));
    }
}
