package io.gencluster.itests.hosts;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A long-running process the network started in one host ({@code ip netns exec} replaced by the
 * program itself, so {@link #pid()} is the program's PID), its output appended to a log file. The
 * network stops every one it started when it closes.
 */
public final class HostProcess {

    private final Host host;
    private final List<String> argv;
    private final Process process;
    private final Path log;

    HostProcess(Host host, List<String> argv, Process process, Path log) {
        this.host = host;
        this.argv = List.copyOf(argv);
        this.process = process;
        this.log = log;
    }

    public Host host() {
        return host;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** SIGTERM, up to 5 s for it to end, then SIGKILL; true when it (and its children) are gone. */
    boolean stop() {
        return Processes.stop(process.toHandle(), Duration.ofSeconds(5));
    }

    @Override
    public String toString() {
        return String.join(" ", argv) + " in " + host.name() + " (PID " + pid() + ")";
    }
}
