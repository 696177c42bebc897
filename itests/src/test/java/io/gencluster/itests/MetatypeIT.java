package io.gencluster.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.itests.node.FelixNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.util.tracker.ServiceTracker;

/**
 * What Karaf's {@code config:} commands and the Felix web console show: the Metatype that Felix
 * Metatype publishes from our bundles, read through its MetaTypeService in a real framework.
 * Every PID and factory PID is there, every key has a name and a description, the defaults are
 * the documented ones, and the configuration reference ({@code docs/configuration.md}) lists
 * exactly the keys published.
 */
class MetatypeIT {

    private static final Set<String> PIDS = Set.of("io.gencluster", "io.gencluster.dist.tcp", "io.gencluster.dist.erlang", "io.gencluster.discovery.epmd");
    private static final Set<String> FACTORY_PIDS = Set.of("io.gencluster.discovery.static", "io.gencluster.discovery.dns");

    private static EmbeddedNodes cluster;
    private static FelixNode node;
    /** PID (singleton or factory) → key → attribute (name, description, default). */
    private static final Map<String, Map<String, Attribute>> published = new TreeMap<>();
    private static final Set<String> publishedPids = new TreeSet<>();
    private static final Set<String> publishedFactoryPids = new TreeSet<>();

    record Attribute(String name, String description, List<String> defaults) {
    }

    @BeforeAll
    static void readMetatype() throws Exception {
        cluster = new EmbeddedNodes("metatype");
        node = new FelixNode(Path.of(System.getProperty("bundles.dir")), cluster.work().resolve("node"));
        node.start();
        Bundle metatype = node.bundle("org.apache.felix.metatype");
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(node.context(), "org.osgi.service.metatype.MetaTypeService", null);
        tracker.open(true);
        Object service = tracker.waitForService(EmbeddedNodes.TIMEOUT.toMillis());
        tracker.close();
        assertTrue(service != null, "no MetaTypeService: " + node.bundleStates());
        for (Bundle b : node.context().getBundles()) {
            if (b.getSymbolicName() == null || !b.getSymbolicName().startsWith("io.gencluster.")) {
                continue;
            }
            Object info = call(metatype, service, "MetaTypeService", "getMetaTypeInformation", new Class<?>[] {Bundle.class}, b);
            if (info == null) {
                continue;
            }
            String[] pids = orEmpty(call(metatype, info, "MetaTypeInformation", "getPids", new Class<?>[0]));
            String[] factoryPids = orEmpty(call(metatype, info, "MetaTypeInformation", "getFactoryPids", new Class<?>[0]));
            publishedPids.addAll(Arrays.asList(pids));
            publishedFactoryPids.addAll(Arrays.asList(factoryPids));
            for (String pid : concat(pids, factoryPids)) {
                Object ocd = call(metatype, info, "MetaTypeProvider", "getObjectClassDefinition",
                        new Class<?>[] {String.class, String.class}, pid, null);
                Object[] ads = (Object[]) call(metatype, ocd, "ObjectClassDefinition", "getAttributeDefinitions",
                        new Class<?>[] {int.class}, -1);
                Map<String, Attribute> keys = new LinkedHashMap<>();
                for (Object ad : ads) {
                    String[] defaults = (String[]) call(metatype, ad, "AttributeDefinition", "getDefaultValue", new Class<?>[0]);
                    keys.put((String) call(metatype, ad, "AttributeDefinition", "getID", new Class<?>[0]), new Attribute(
                            (String) call(metatype, ad, "AttributeDefinition", "getName", new Class<?>[0]),
                            (String) call(metatype, ad, "AttributeDefinition", "getDescription", new Class<?>[0]),
                            defaults == null ? List.of() : List.of(defaults)));
                }
                published.put(pid, keys);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        cluster.close();
        node.close();
    }

    @Test
    void everyPidAndFactoryPidIsPublished() {
        assertEquals(new TreeSet<>(PIDS), publishedPids);
        assertEquals(new TreeSet<>(FACTORY_PIDS), publishedFactoryPids);
    }

    @Test
    void everyKeyHasANameAndADescription() {
        List<String> missing = new ArrayList<>();
        published.forEach((pid, keys) -> keys.forEach((key, a) -> {
            if (a.name() == null || a.name().isBlank() || a.description() == null || a.description().isBlank()) {
                missing.add(pid + " " + key);
            }
        }));
        assertEquals(List.of(), missing, "keys without a name or a description");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertEquals(List.of("5000"), published.get("io.gencluster").get("refresh.interval.ms").defaults());
        assertEquals(List.of("keep"), published.get("io.gencluster").get("removed.nodes").defaults());
        assertEquals(List.of("(gencluster.discovery=*)"), published.get("io.gencluster").get("discovery.target").defaults());
        assertEquals(List.of("4370"), published.get("io.gencluster.dist.tcp").get("port").defaults());
        assertEquals(List.of("500"), published.get("io.gencluster.dist.tcp").get("tick.ms").defaults());
        assertEquals(List.of("2500"), published.get("io.gencluster.dist.tcp").get("tick.timeout.ms").defaults());
        assertEquals(List.of("true"), published.get("io.gencluster.dist.tcp").get("epmd.embedded").defaults());
        assertEquals(List.of("localhost"), published.get("io.gencluster.discovery.epmd").get("hosts").defaults());
        assertEquals(List.of("2000"), published.get("io.gencluster.discovery.epmd").get("timeout.ms").defaults());
        assertEquals(List.of("A"), published.get("io.gencluster.discovery.dns").get("record.type").defaults());
        assertEquals(List.of("5000"), published.get("io.gencluster.discovery.dns").get("timeout.ms").defaults());
        assertTrue(published.get("io.gencluster.discovery.static").containsKey("nodes"));
    }

    @Test
    void theConfigurationReferenceListsExactlyThePublishedKeys() throws Exception {
        Map<String, Set<String>> documented = referenceKeys(Path.of(System.getProperty("configuration.reference")));
        Map<String, Set<String>> keys = new TreeMap<>();
        published.forEach((pid, attributes) -> keys.put(pid, new TreeSet<>(attributes.keySet())));
        assertEquals(keys, documented);
    }

    /** The reference's "### … — PID `x`" sections and the keys in the first column of their tables. */
    private static Map<String, Set<String>> referenceKeys(Path reference) throws Exception {
        Map<String, Set<String>> keys = new TreeMap<>();
        Pattern heading = Pattern.compile("^### .*PID `([^`]+)`.*$");
        Pattern key = Pattern.compile("`([a-z][a-z0-9.]*)`");
        Set<String> current = null;
        for (String line : Files.readAllLines(reference)) {
            Matcher h = heading.matcher(line);
            if (h.matches()) {
                current = keys.computeIfAbsent(h.group(1), p -> new TreeSet<>());
            } else if (line.startsWith("#")) {
                current = null;
            } else if (current != null && line.startsWith("| `")) {
                Matcher k = key.matcher(line.substring(0, line.indexOf('|', 1)));
                while (k.find()) {
                    current.add(k.group(1));
                }
            }
        }
        return keys;
    }

    private static String[] orEmpty(Object pids) {
        return pids == null ? new String[0] : (String[]) pids;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Calls a Metatype API method through the interface as the metatype bundle sees it. */
    private static Object call(Bundle metatype, Object target, String iface, String method, Class<?>[] types, Object... args) {
        try {
            Class<?> type = metatype.loadClass("org.osgi.service.metatype." + iface);
            return type.getMethod(method, types).invoke(target, args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call " + iface + "." + method, e);
        }
    }
}
