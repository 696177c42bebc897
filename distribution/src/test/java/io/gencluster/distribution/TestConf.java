package io.gencluster.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A test node's conf directory: the transport on loopback without a port mapper, a static list, the runtime. */
final class TestConf {

    private TestConf() {
    }

    static Path write(Path work, String name, String peers, String cookie) throws IOException {
        Path conf = Files.createDirectories(work.resolve(name + "-conf"));
        Files.writeString(conf.resolve("io.gencluster.dist.tcp.cfg"), String.join("\n",
                "node.name = ${gencluster.node.name}", "port = ${gencluster.port}", "bind.address = 127.0.0.1",
                "cookie = " + cookie, "epmd.register = false", ""));
        Files.writeString(conf.resolve("io.gencluster.discovery.static.cfg"), peers + "\n");
        Files.writeString(conf.resolve("io.gencluster.cfg"), "refresh.interval.ms = 500\nreconnect.backoff.max.ms = 1000\n");
        return conf;
    }
}
