package io.gencluster.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * What each bundle's manifest says it needs of the project, as a framework reads it: an
 * application bundle imports {@code io.gencluster.api} only, an implementer also
 * {@code io.gencluster.spi}, only the transports import the transport kit and only the discovery
 * strategies the discovery kit, only the users of the EPMD protocol import
 * {@code io.gencluster.epmd}; and each package's classes are in one jar.
 */
class BundleImportsIT {

    private static final String API = "io.gencluster.api";
    private static final String SPI = "io.gencluster.spi";
    private static final String KIT = "io.gencluster.dist.kit";
    private static final String EPMD = "io.gencluster.epmd";
    private static final String DISCOVERY_KIT = "io.gencluster.discovery.kit";

    /** Bundle-SymbolicName to the project's packages it must import, no more, no fewer. */
    private static final Map<String, Set<String>> EXPECTED = Map.ofEntries(
            // a bundle imports the packages it exports and uses itself (substitutable exports)
            Map.entry("io.gencluster.api", Set.of(API)),
            Map.entry("io.gencluster.epmd", Set.of()),
            Map.entry("io.gencluster.dist-kit", Set.of(API, SPI)),
            Map.entry("io.gencluster.dist-tcp", Set.of(API, SPI, KIT, EPMD)),
            Map.entry("io.gencluster.dist-erlang", Set.of(API, SPI, KIT, EPMD, "io.gencluster.erlang")),
            Map.entry("io.gencluster.discovery-kit", Set.of(API)),
            Map.entry("io.gencluster.discovery-static", Set.of(API, SPI, DISCOVERY_KIT)),
            Map.entry("io.gencluster.discovery-dns-a", Set.of(API, SPI, DISCOVERY_KIT)),
            Map.entry("io.gencluster.discovery-epmd-all", Set.of(API, SPI, EPMD, DISCOVERY_KIT)),
            Map.entry("io.gencluster.runtime", Set.of(API, SPI)),
            Map.entry("io.gencluster.shell", Set.of(API)),
            Map.entry("io.gencluster.events", Set.of(API)),
            Map.entry("io.gencluster.membership-log", Set.of(API)));

    @Test
    void everyBundleImportsOnlyTheProjectPackagesItUses() throws IOException {
        Map<String, Set<String>> imported = new TreeMap<>();
        for (String jar : bundles()) {
            try (JarFile j = new JarFile(jar)) {
                Manifest m = j.getManifest();
                String name = m.getMainAttributes().getValue("Bundle-SymbolicName").split(";")[0].trim();
                imported.put(name, projectPackages(m.getMainAttributes().getValue("Import-Package")));
            }
        }
        assertEquals(new TreeMap<>(EXPECTED), imported);
    }

    @Test
    void everyPackageOfTheProjectIsInExactlyOneJar() throws IOException {
        Map<String, List<String>> jarsOf = new TreeMap<>();
        for (String jar : bundles()) {
            try (JarFile j = new JarFile(jar)) {
                Set<String> packages = new TreeSet<>();
                for (JarEntry e : java.util.Collections.list(j.entries())) {
                    String n = e.getName();
                    if (n.startsWith("io/gencluster/") && n.endsWith(".class")) {
                        packages.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.'));
                    }
                }
                for (String p : packages) {
                    jarsOf.computeIfAbsent(p, k -> new ArrayList<>()).add(new File(jar).getName());
                }
            }
        }
        assertTrue(jarsOf.containsKey(EPMD), "the EPMD package is in a jar: " + jarsOf.keySet());
        jarsOf.forEach((p, jars) -> assertEquals(1, jars.size(), p + " is in " + jars));
    }

    private static List<String> bundles() {
        List<String> jars = Arrays.asList(System.getProperty("manifest.bundles").split(File.pathSeparator));
        assertEquals(EXPECTED.size(), jars.size(), "one jar per bundle: " + jars);
        return jars;
    }

    /** The {@code io.gencluster} packages an Import-Package header names. */
    private static Set<String> projectPackages(String header) {
        Set<String> out = new TreeSet<>();
        if (header == null) {
            return out;
        }
        // clauses are separated by commas outside quotes: version="[1.0,2)" holds one
        boolean quoted = false;
        StringBuilder clause = new StringBuilder();
        for (char c : (header + ",").toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                String name = clause.toString().split(";")[0].trim();
                if (name.startsWith("io.gencluster.")) {
                    out.add(name);
                }
                clause.setLength(0);
            } else {
                clause.append(c);
            }
        }
        return out;
    }
}
