package io.gencluster.itests.hosts.probe;

import java.util.StringJoiner;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a node holds: its gen-cluster threads (every one is named {@code gencluster...}), its
 * socket descriptors and its heap after a collection. The fault tests compare these before and
 * after a fault to find leaks: a dropped connection must give back its socket and threads.
 */
final class ResourceProbe {

    private static final String THREAD_PREFIX = "gencluster";
    private static final Path FDS = Path.of("/proc/self/fd");

    private ResourceProbe() {
    }

    /** {@code threads=N sockets=M heapUsed=B}. */
    static String resources() throws IOException {
        return "threads=" + threads() + " sockets=" + sockets() + " heapUsed=" + heapUsedAfterGc() + " names=" + names();
    }

    /** The gen-cluster threads by name, numbers cut off, with counts: what to look at when a count grew. */
    private static String names() {
        java.util.TreeMap<String, Integer> byName = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(THREAD_PREFIX)) {
                byName.merge(t.getName().replaceAll("[0-9]+", "N").replace(' ', '_'), 1, Integer::sum);
            }
        }
        StringJoiner out = new StringJoiner(",");
        byName.forEach((name, n) -> out.add(name + "*" + n));
        return out.toString();
    }

    private static int threads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(THREAD_PREFIX)) {
                n++;
            }
        }
        return n;
    }

    /** Links of /proc/self/fd that point to {@code socket:[inode]}. */
    private static int sockets() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(FDS)) {
            for (Path fd : dir) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException closedWhileListed) {
                    // the directory stream's own descriptor, or one closed meanwhile: not a socket we hold
                }
            }
        }
        return n;
    }

    private static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
