package io.gencluster.itests.hosts;

import java.io.IOException;

/**
 * A JVM that builds a network of two hosts with an epmd each and never closes it: it prints
 * "ready EPMD_PID EPMD_PID" and waits on stdin. NetworkIT ends it with SIGTERM, as Ctrl-C or a
 * killed build would, to check that the shutdown hook removes what it made.
 */
public final class LeaveOpen {

    private LeaveOpen() {
    }

    public static void main(String[] args) throws IOException {
        Network net = Network.create(2);
        long a = net.startEpmd(net.host(1)).pid();
        long b = net.startEpmd(net.host(2)).pid();
        System.out.println("ready " + a + " " + b);
        System.out.flush();
        System.in.read(); // blocks until killed or stdin closes
    }
}
