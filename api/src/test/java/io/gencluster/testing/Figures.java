package io.gencluster.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a fault test measured, for RELIABILITY.md: one file per scenario,
 * {@code <module>/target/reliability/<scenario>.txt} (beside the test's {@code work.dir}), lines
 * {@code key=value} in the order recorded; {@code bin/reliability} turns them into tables. Shared
 * by the integration test modules through this module's test jar.
 */
public final class Figures {

    private final String scenario;
    private final Map<String, Object> values = new LinkedHashMap<>();

    public Figures(String scenario) {
        this.scenario = scenario;
    }

    public Figures put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    /** Writes the file; called when the test passed. */
    public void write() throws IOException {
        Path dir = Path.of(System.getProperty("work.dir")).getParent().resolve("reliability");
        Files.createDirectories(dir);
        StringBuilder b = new StringBuilder("scenario=" + scenario + "\n");
        values.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Files.writeString(dir.resolve(scenario.replaceAll("[^A-Za-z0-9]+", "-") + ".txt"), b.toString(), StandardCharsets.UTF_8);
    }
}
