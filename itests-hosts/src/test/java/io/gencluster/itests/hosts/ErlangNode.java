package io.gencluster.itests.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A real Erlang node in one host: {@code erl -name NAME -setcookie COOKIE -noshell}, started by
 * the {@link Network} (so stopped by its PID when the network closes), with the host's system
 * {@code epmd} already running ({@code -start_epmd false}: it only registers). Its distribution
 * listens on {@link HostCluster#PORT}, as the JVM nodes do. A process it spawns prints the nodes
 * it is connected to every 200 ms to its log, {@code NODES hidden=a,b visible=c}; the test reads
 * the log, the node is never asked anything.
 */
final class ErlangNode {

    private static final String PRINT_NODES = "spawn(fun Loop() ->"
            + " J = fun(Ns) -> lists:join(\",\", lists:sort([atom_to_list(N) || N <- Ns])) end,"
            + " io:format(\"NODES hidden=~s visible=~s~n\", [J(nodes(hidden)), J(nodes(visible))]),"
            + " receive after 200 -> ok end, Loop() end).";

    private final String name;
    private final HostProcess process;

    private ErlangNode(String name, HostProcess process) {
        this.name = name;
        this.process = process;
    }

    /** Starts {@code name} (long names: {@code -name}) in {@code host} with {@code cookie}. */
    static ErlangNode start(Network network, Host host, String name, String cookie, Path log) {
        Preconditions.require("erl");
        String port = String.valueOf(HostCluster.PORT);
        HostProcess p = network.start(host, List.of("erl", "-name", name, "-setcookie", cookie, "-noshell",
                "-start_epmd", "false", "-kernel", "inet_dist_listen_min", port, "inet_dist_listen_max", port,
                "-eval", PRINT_NODES), log);
        return new ErlangNode(name, p);
    }

    String name() {
        return name;
    }

    /** Waits until the node's hidden connections include every one of {@code nodes}; returns the line. */
    String awaitHidden(Set<String> nodes, Duration timeout) {
        String[] last = {""};
        try {
            Await.until(name + " to list " + new TreeSet<>(nodes) + " in nodes(hidden)", timeout, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " ended; its log:\n" + log());
                }
                last[0] = lastNodesLine();
                String hidden = last[0].replaceFirst("^NODES hidden=(\\S*) .*$", "$1");
                return Set.copyOf(Arrays.asList(hidden.split(","))).containsAll(nodes);
            });
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage() + " (last: '" + last[0] + "')", e);
        }
        return last[0];
    }

    private String lastNodesLine() {
        List<String> lines = log().lines().filter(l -> l.startsWith("NODES hidden=")).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    String log() {
        try {
            return Files.exists(process.log()) ? Files.readString(process.log()) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (PID " + process.pid() + ")";
    }
}
