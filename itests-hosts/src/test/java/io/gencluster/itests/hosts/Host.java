package io.gencluster.itests.hosts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One "host": a network namespace with interface {@code eth0} holding address 198.18.0.(10+i)/24,
 * cabled to port {@code p<i>} of the switch's bridge. Commands run in it through
 * {@code ip netns exec}, which enters the namespace and execs the command under the same PID.
 */
public final class Host {

    /** What a TCP connect attempt from a host gave. */
    public enum Reach {
        CONNECTED, REFUSED, TIMED_OUT
    }

    private final int index;
    private final String namespace;

    Host(int index, String namespace) {
        this.index = index;
        this.namespace = namespace;
    }

    /** "h1", "h2", ... */
    public String name() {
        return "h" + index;
    }

    public int index() {
        return index;
    }

    public String namespace() {
        return namespace;
    }

    /** "198.18.0.11" for h1. */
    public String address() {
        return Network.address(index);
    }

    /** The switch's side of this host's cable, in the switch namespace. */
    public String switchPort() {
        return "p" + index;
    }

    /** {@code ip netns exec <namespace> argv...}: argv run in this host. */
    public List<String> exec(String... argv) {
        return exec(Arrays.asList(argv));
    }

    public List<String> exec(List<String> argv) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(argv);
        return all;
    }

    /** Runs argv in this host to its end (bounded by timeout): exit code and output. */
    public Command.Result run(Duration timeout, String... argv) {
        return Command.run(timeout, exec(argv));
    }

    /** Runs argv in this host; fails with the output when it exits non-zero. */
    public Command.Result check(Duration timeout, String... argv) {
        return run(timeout, argv).orThrow();
    }

    /**
     * A TCP connect from this host to address:port, given up after {@code timeout}: bash's
     * /dev/tcp under {@code timeout}, so a dropped SYN shows as TIMED_OUT and a RST as REFUSED.
     */
    public Reach connect(String address, int port, Duration timeout) {
        double seconds = timeout.toMillis() / 1000.0;
        Command.Result r = run(timeout.plusSeconds(5), "timeout", String.valueOf(seconds), "bash", "-c",
                "exec 3<>/dev/tcp/" + address + "/" + port);
        return switch (r.exitCode()) {
            case 0 -> Reach.CONNECTED;
            case 124 -> Reach.TIMED_OUT;
            default -> {
                if (r.output().contains("refused")) {
                    yield Reach.REFUSED;
                }
                throw new IllegalStateException("connect from " + name() + " to " + address + ":" + port
                        + " failed unexpectedly: " + r.output().strip());
            }
        };
    }

    @Override
    public String toString() {
        return name() + "(" + address() + ")";
    }
}
