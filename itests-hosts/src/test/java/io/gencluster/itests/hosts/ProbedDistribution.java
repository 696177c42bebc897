package io.gencluster.itests.hosts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * One copy of the built distribution (property {@code distribution.dir}) with the probe bundle
 * (property {@code probe.jar}) added to its {@code bundle/}: what every test node runs. The nodes
 * share it; each has a conf and a data directory of its own.
 */
final class ProbedDistribution {

    private ProbedDistribution() {
    }

    /** Copies the distribution to {@code target} and adds the probe; returns {@code target}. */
    static Path copyTo(Path target) throws IOException {
        Path from = Path.of(System.getProperty("distribution.dir"));
        if (!Files.isExecutable(from.resolve("bin/gen-cluster"))) {
            throw new IOException("no built distribution at " + from + ": run mvn install first (or bin/test)");
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Path probe = Path.of(System.getProperty("probe.jar"));
        Files.copy(probe, target.resolve("bundle").resolve(probe.getFileName()));
        return target;
    }
}
