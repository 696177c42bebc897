package io.gencluster.itests.hosts.probe;

import java.io.PrintStream;

/**
 * The probe's side of the conversation with the test: one line per call, each starting with
 * {@code PROBE }, written whole and flushed at once. The node also prints lines of its own on the
 * same stdout (membership-log); {@link PrintStream#println(String)} holds the stream's lock for the
 * whole line, and the probe's own lock keeps its lines in the order it decided them.
 */
final class ProbeOutput {

    private final PrintStream out;

    ProbeOutput(PrintStream out) {
        this.out = out;
    }

    /** Prints {@code PROBE <text>}; a line break inside the text becomes a space (one reply = one line). */
    synchronized void say(String text) {
        out.println("PROBE " + text.replace('\r', ' ').replace('\n', ' '));
        out.flush();
    }
}
