package io.gencluster.itests.node;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What the fault tests read from a node in its own JVM: its threads and sockets, the messages a
 * mailbox received (as they arrive, so that a node killed hard has told what it got), and a
 * stream of numbered messages to another node with the outcome of every send.
 */
final class Probes {

    private static final long FLUSH_MS = 20;
    private static final int MAX_FAILURES_DEFAULT = 200;
    private static final Duration SEND_WAIT = Duration.ofMillis(200);
    private static final long STREAM_MAX_MS = 60_000;

    private Probes() {
    }

    /**
     * "threads=N sockets=M names=..." : the gen-cluster threads (by name prefix) and the socket
     * descriptors this process holds (/proc/self/fd links to socket:[inode]).
     */
    static String resources() throws IOException {
        TreeMap<String, Integer> byPrefix = new TreeMap<>();
        int threads = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("gencluster")) {
                threads++;
                String prefix = t.getName().replaceAll("[-@].*$", "");
                String name = t.getName().replaceAll("-\\d+$", "").replaceAll("@.*$", "");
                byPrefix.merge(name.isEmpty() ? prefix : name, 1, Integer::sum);
            }
        }
        int sockets = 0;
        int fds = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : dir) {
                fds++;
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        sockets++;
                    }
                } catch (IOException gone) {
                    // closed while listed (the directory stream's own descriptor, for one)
                }
            }
        }
        return "threads=" + threads + " sockets=" + sockets + " fds=" + fds + " jvmThreads="
                + ManagementFactory.getThreadMXBean().getThreadCount() + " names=" + byPrefix;
    }

    /** Registers mailbox {@code name}; every FLUSH_MS, says "GOT name seq,seq,..." for what arrived. */
    static void recordMailbox(FelixNode node, String name, Consumer<String> say) {
        List<String> pending = new ArrayList<>();
        node.mailbox(name, (from, payload) -> {
            synchronized (pending) {
                pending.add(new String(payload, StandardCharsets.UTF_8));
            }
        });
        Thread flusher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                List<String> batch;
                synchronized (pending) {
                    batch = new ArrayList<>(pending);
                    pending.clear();
                }
                for (int i = 0; i < batch.size(); i += 200) {
                    say.accept("GOT " + name + " " + String.join(",", batch.subList(i, Math.min(batch.size(), i + 200))));
                }
                try {
                    Thread.sleep(FLUSH_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-mailbox-" + name);
        flusher.setDaemon(true);
        flusher.start();
    }

    /**
     * Sends 0, 1, 2, ... to {@code mailbox} on {@code target} until {@code maxFailures} sends have
     * failed (or a minute passed), then says "STREAM ok=N failed=M firstFailed=K okAfterFailure=J".
     * Says "STREAMING" once 1000 sends succeeded.
     */
    static void stream(FelixNode node, String target, String mailbox, int maxFailures, Consumer<String> say) {
        int limit = maxFailures > 0 ? maxFailures : MAX_FAILURES_DEFAULT;
        Thread sender = new Thread(() -> {
            long ok = 0;
            long failed = 0;
            long firstFailed = -1;
            long okAfterFailure = 0;
            long end = System.currentTimeMillis() + STREAM_MAX_MS;
            for (long seq = 0; failed < limit && System.currentTimeMillis() < end; seq++) {
                if (node.send(target, mailbox, Long.toString(seq).getBytes(StandardCharsets.UTF_8), SEND_WAIT)) {
                    ok++;
                    okAfterFailure += firstFailed >= 0 ? 1 : 0;
                    if (ok == 1000) {
                        say.accept("STREAMING");
                    }
                } else {
                    failed++;
                    firstFailed = firstFailed < 0 ? seq : firstFailed;
                }
            }
            say.accept("STREAM ok=" + ok + " failed=" + failed + " firstFailed=" + firstFailed + " okAfterFailure=" + okAfterFailure);
        }, "test-stream-" + mailbox);
        sender.setDaemon(true);
        sender.start();
    }
}
