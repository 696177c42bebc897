package io.gencluster.itests.hosts.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads the test's commands from the JVM's stdin, one per line, on a daemon thread of its own, and
 * prints each reply. Whatever a command throws becomes a {@code PROBE ERROR} line: nothing the test
 * sends can end the reader. The end of stdin ends the reader, not the node.
 *
 * <p>A read from stdin cannot be interrupted: {@link #close} makes the reader ignore what follows
 * and end at the next line (or with the JVM, the thread being a daemon).
 */
final class CommandReader {

    private final InputStream in;
    private final ProbeCommands commands;
    private final ProbeOutput out;
    private final Thread thread;
    private volatile boolean closed;

    CommandReader(InputStream in, ProbeCommands commands, ProbeOutput out) {
        this.in = in;
        this.commands = commands;
        this.out = out;
        this.thread = new Thread(this::read, "probe-commands");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void close() {
        closed = true;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null && !closed; line = r.readLine()) {
                if (!line.isBlank()) {
                    out.say(reply(line));
                }
            }
        } catch (IOException e) {
            out.say("ERROR stdin unreadable, no more commands: " + e);
        }
    }

    private String reply(String line) {
        try {
            return commands.run(line);
        } catch (IllegalArgumentException e) {
            return "ERROR " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "ERROR interrupted: " + line;
        } catch (Exception | LinkageError e) {
            return "ERROR " + line + ": " + e;
        }
    }
}
