package io.gencluster.epmd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A free loopback port for a port mapper that a test stops and starts again. It is taken below
 * Linux's ephemeral range (32768 and up), where {@code bind(0)} and outgoing connections take
 * theirs: a port from {@code new ServerSocket(0)}, closed, can be handed to another test's server
 * or to any connection's local end on the machine while the test's own port mapper restarts, and
 * then the test talks to a stranger (the cause of a flake seen under {@code bin/test}).
 */
final class TestPorts {

    private TestPorts() {
    }

    static int freeOutsideEphemeralRange() throws IOException {
        for (int i = 0; i < 100; i++) {
            int candidate = ThreadLocalRandom.current().nextInt(20_000, 32_768);
            try (ServerSocket s = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port between 20000 and 32767 in 100 tries");
    }
}
