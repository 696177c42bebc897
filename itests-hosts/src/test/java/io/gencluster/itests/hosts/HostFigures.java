package io.gencluster.itests.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a host test measured: one file per scenario, {@code itests-hosts/target/reliability/<scenario>.txt},
 * lines {@code key=value} in the order recorded (the format of the in-JVM tests' {@code Figures}).
 */
final class HostFigures {

    private final String scenario;
    private final Map<String, Object> values = new LinkedHashMap<>();

    HostFigures(String scenario) {
        this.scenario = scenario;
    }

    HostFigures put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    /** Writes the file (replacing it) and returns it; called when the test passed. */
    Path write() throws IOException {
        Path dir = Files.createDirectories(Path.of(System.getProperty("work.dir")).getParent().resolve("reliability"));
        StringBuilder b = new StringBuilder("scenario=" + scenario + "\n");
        values.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Path file = dir.resolve(scenario.replaceAll("[^A-Za-z0-9]+", "-") + ".txt");
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        return file;
    }
}
