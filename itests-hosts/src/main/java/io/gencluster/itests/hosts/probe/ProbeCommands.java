package io.gencluster.itests.hosts.probe;

import io.gencluster.api.Cluster;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Runs one command line and returns the reply (without the {@code PROBE } prefix); a bad command
 * throws {@link IllegalArgumentException} with the text of the {@code PROBE ERROR} line.
 * Owns the mailboxes and streams the commands made. The protocol is in the module's README.
 */
final class ProbeCommands {

    private final BundleContext context;
    private final Supplier<Cluster> cluster;
    private final Supplier<Messenger> messenger;
    private final ProbeOutput out;
    private final Map<String, MailboxRecorder> mailboxes = new ConcurrentHashMap<>();
    private final Map<String, ServiceRegistration<MessageHandler>> registrations = new ConcurrentHashMap<>();
    private final Map<String, StreamSender> streams = new ConcurrentHashMap<>();

    ProbeCommands(BundleContext context, Supplier<Cluster> cluster, Supplier<Messenger> messenger, ProbeOutput out) {
        this.context = context;
        this.cluster = cluster;
        this.messenger = messenger;
        this.out = out;
    }

    /** Runs {@code line}; called by the command reader only, one line at a time. */
    String run(String line) throws IOException, InterruptedException {
        String[] w = line.trim().split("\\s+", 4);
        switch (w[0]) {
            case "members":
                return members();
            case "mailbox":
                return mailbox(arg(w, 1, "mailbox NAME"));
            case "mailbox-close":
                return mailboxClose(arg(w, 1, "mailbox-close NAME"));
            case "received":
                String[] r = line.trim().split("\\s+", 3); // the file name may hold spaces
                return received(arg(r, 1, "received NAME FILE"), arg(r, 2, "received NAME FILE"));
            case "stream":
                return stream(w);
            case "stream-stop":
                return streamStop(w);
            case "resources":
                return "RESOURCES " + ResourceProbe.resources();
            default:
                throw new IllegalArgumentException("unknown command '" + w[0] + "'");
        }
    }

    /** The node {@code node} went down: every stream to it starts a new run. Event thread. */
    void nodeDown(NodeName node) {
        for (StreamSender s : streams.values()) {
            if (s.target().equals(node)) {
                s.targetDown();
            }
        }
    }

    /** Stops every stream and unregisters every mailbox (the component is going away). */
    void close() throws InterruptedException {
        for (StreamSender s : streams.values()) {
            s.stop();
        }
        streams.clear();
        for (ServiceRegistration<MessageHandler> r : registrations.values()) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework unregistered it first
            }
        }
        registrations.clear();
    }

    private String members() {
        Cluster c = cluster.get();
        if (c == null) {
            throw new IllegalArgumentException("no Cluster service");
        }
        StringJoiner names = new StringJoiner(",");
        for (NodeName n : new TreeSet<>(c.members())) {
            names.add(n.toString());
        }
        return "MEMBERS " + System.currentTimeMillis() + " " + names;
    }

    private String mailbox(String name) {
        if (mailboxes.containsKey(name)) {
            return "OK mailbox " + name; // asking twice is harmless: the record goes on
        }
        MailboxRecorder recorder = new MailboxRecorder();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(MessageHandler.MAILBOX_PROPERTY, name);
        registrations.put(name, context.registerService(MessageHandler.class, recorder, props));
        mailboxes.put(name, recorder);
        return "OK mailbox " + name;
    }

    /** Unregisters the mailbox's handler and forgets its record: the transport must let its thread go. */
    private String mailboxClose(String name) {
        ServiceRegistration<MessageHandler> r = registrations.remove(name);
        if (r == null) {
            throw new IllegalArgumentException("no mailbox '" + name + "'");
        }
        r.unregister();
        mailboxes.remove(name);
        return "OK mailbox-close " + name;
    }

    private String received(String name, String file) throws IOException {
        MailboxRecorder recorder = mailboxes.get(name);
        if (recorder == null) {
            throw new IllegalArgumentException("no mailbox '" + name + "'");
        }
        return "RECEIVED " + name + " " + recorder.write(Path.of(file));
    }

    private String stream(String[] w) {
        String usage = "stream NODE MAILBOX INTERVAL_MICROS [COUNT]";
        NodeName target = NodeName.parse(arg(w, 1, usage));
        String mailbox = arg(w, 2, usage);
        String[] numbers = arg(w, 3, usage).split("\\s+");
        long interval = positive(numbers[0], "INTERVAL_MICROS");
        long count = numbers.length > 1 ? positive(numbers[1], "COUNT") : 0;
        String key = target + " " + mailbox;
        StreamSender sender = new StreamSender(target, mailbox, interval, count, cluster, messenger,
                totals -> out.say("STREAM-DONE " + key + " " + totals));
        if (streams.putIfAbsent(key, sender) != null) {
            throw new IllegalArgumentException("a stream to " + key + " runs already: stream-stop it first");
        }
        sender.start();
        return "OK stream " + key;
    }

    private String streamStop(String[] w) throws IOException, InterruptedException {
        String usage = "stream-stop NODE MAILBOX FILE";
        String key = NodeName.parse(arg(w, 1, usage)) + " " + arg(w, 2, usage);
        String file = arg(w, 3, usage);
        StreamSender sender = streams.remove(key);
        if (sender == null) {
            throw new IllegalArgumentException("no stream to " + key);
        }
        OutcomeRuns outcomes = sender.stop();
        outcomes.write(Path.of(file));
        return "STREAM " + key + " " + outcomes.totals();
    }

    private static String arg(String[] words, int i, String usage) {
        if (words.length <= i || words[i].isEmpty()) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return words[i];
    }

    private static long positive(String text, String what) {
        try {
            long n = Long.parseLong(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below, with the value
        }
        throw new IllegalArgumentException(what + " '" + text + "' is not a positive number");
    }
}
