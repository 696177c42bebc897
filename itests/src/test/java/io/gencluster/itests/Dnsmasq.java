package io.gencluster.itests;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server for the tests: Debian's dnsmasq (package dnsmasq-base, installed by CI) on a
 * loopback port, serving the records the test writes. Stopped by PID in {@link #close()}.
 */
final class Dnsmasq implements AutoCloseable {

    private final Path hosts;
    private final Path conf;
    private final Path log;
    private final int port;
    private Process process;

    Dnsmasq(Path dir) throws IOException {
        Files.createDirectories(dir);
        hosts = dir.resolve("hosts");
        conf = dir.resolve("dnsmasq.conf");
        log = dir.resolve("dnsmasq.log");
        Files.writeString(hosts, "");
        Files.writeString(conf, "");
        port = freeUdpAndTcpPort();
    }

    /** dnsmasq listens on the port for UDP and TCP alike: both must be free. */
    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    java.net.ServerSocket tcp = new java.net.ServerSocket(udp.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
                return tcp.getLocalPort();
            } catch (IOException taken) {
                // the TCP side of that port is in use: try another
            }
        }
        throw new IOException("no loopback port free for both UDP and TCP");
    }

    static String binary() {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin")) {
            if (Files.isExecutable(Path.of(dir, "dnsmasq"))) {
                return dir + "/dnsmasq";
            }
        }
        throw new AssertionError("dnsmasq not found: install Debian's dnsmasq-base (bin/test and .ci/run do)");
    }

    int port() {
        return port;
    }

    /** "address name" lines, as in /etc/hosts; dnsmasq answers A/AAAA and the matching PTR. */
    void hosts(String... lines) throws IOException {
        Files.writeString(hosts, String.join("\n", lines) + "\n");
    }

    /** dnsmasq configuration lines, e.g. srv-host=...; read at start only. */
    void config(String... lines) throws IOException {
        Files.writeString(conf, String.join("\n", lines) + "\n");
    }

    void start() throws Exception {
        process = new ProcessBuilder(binary(), "--no-daemon", "--port=" + port, "--listen-address=127.0.0.1",
                "--bind-interfaces", "--no-resolv", "--no-hosts", "--addn-hosts=" + hosts, "--conf-file=" + conf,
                "--log-facility=-", "--log-queries", "--local-ttl=0", "--neg-ttl=0", "--cache-size=0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(log).contains("started")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("dnsmasq did not start on port " + port + " ("
                        + (process.isAlive() ? "still running" : "exited with " + process.exitValue()) + "): " + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** SIGHUP: dnsmasq re-reads the hosts file, as when a pod joins or leaves a Service. */
    void reload() throws Exception {
        int readsBefore = reads();
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -HUP " + process.pid() + " failed");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reads() <= readsBefore) { // dnsmasq logs each file it reads
            if (System.nanoTime() > deadline) {
                throw new AssertionError("dnsmasq did not re-read " + hosts + ": " + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private int reads() throws IOException {
        String all = Files.readString(log);
        String needle = "read " + hosts;
        int count = 0;
        for (int i = all.indexOf(needle); i >= 0; i = all.indexOf(needle, i + 1)) {
            count++;
        }
        return count;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
