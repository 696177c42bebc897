package io.gencluster.itests.node;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A node in a JVM of its own, driven through stdin and reporting on stdout, one line each:
 *
 * <pre>
 * java -cp itests/target/classes:felix.jar io.gencluster.itests.node.NodeMain \
 *      --bundles DIR --storage DIR [--config PID key=value ...]...
 *
 * stdin:  config PID key=value ...   replace that configuration's properties
 *         delete PID                 delete that configuration
 *         bundle-stop BSN | bundle-start BSN
 *         members | describe | quit
 *         resources                  RESOURCES threads=N sockets=M ... (gen-cluster threads, socket fds)
 *         mailbox NAME               record what mailbox NAME receives: GOT NAME seq,seq,...
 *         stream NODE MAILBOX [MAXFAIL]  send 0,1,2,... until MAXFAIL sends failed:
 *                                    STREAMING (1000 sent), then STREAM ok=.. failed=.. firstFailed=.. okAfterFailure=..
 * stdout: READY | OK | ERROR text
 *         MEMBERS a@h,b@h            the Cluster service's members, on every change
 *         NO-CLUSTER                 when there is no Cluster service
 *         EVENT node up a@h | EVENT node down a@h (REASON: detail)   every cluster event
 * </pre>
 */
public final class NodeMain {

    private static final long WATCH_INTERVAL_MS = 20;

    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path bundles = null;
        Path storage = null;
        Map<String, Map<String, String>> configs = new LinkedHashMap<>();
        String pid = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bundles":
                    bundles = Path.of(args[++i]);
                    pid = null;
                    break;
                case "--storage":
                    storage = Path.of(args[++i]);
                    pid = null;
                    break;
                case "--config":
                    pid = args[++i];
                    configs.put(pid, new LinkedHashMap<>());
                    break;
                default:
                    if (pid == null || !args[i].contains("=")) {
                        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                    }
                    configs.get(pid).put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
            }
        }
        if (bundles == null || storage == null) {
            throw new IllegalArgumentException("usage: NodeMain --bundles DIR --storage DIR [--config PID key=value ...]...");
        }
        FelixNode node = new FelixNode(bundles, storage);
        node.start();
        node.listen(event -> say("EVENT " + event));
        for (Map.Entry<String, Map<String, String>> c : configs.entrySet()) {
            node.configure(c.getKey(), c.getValue());
        }
        Thread watcher = new Thread(() -> watch(node), "node-members-watch");
        watcher.setDaemon(true);
        watcher.start();
        say("READY");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
                try {
                    command(node, line.trim().split("\\s+"));
                } catch (RuntimeException e) {
                    say("ERROR " + e.getMessage());
                }
            }
        } finally {
            watcher.interrupt();
            node.close();
        }
        System.exit(0);
    }

    private static void command(FelixNode node, String[] words) throws Exception {
        switch (words[0]) {
            case "config":
                Map<String, String> props = new LinkedHashMap<>();
                for (int i = 2; i < words.length; i++) {
                    int eq = words[i].indexOf('=');
                    props.put(words[i].substring(0, eq), words[i].substring(eq + 1));
                }
                node.configure(words[1], props);
                break;
            case "delete":
                node.delete(words[1]);
                break;
            case "bundle-stop":
                node.bundle(words[1]).stop();
                break;
            case "bundle-start":
                node.bundle(words[1]).start();
                break;
            case "members":
                say(membersLine(node.members()));
                return;
            case "describe":
                say("DESCRIBE " + node.describe());
                return;
            case "resources":
                say("RESOURCES " + Probes.resources());
                return;
            case "mailbox":
                Probes.recordMailbox(node, words[1], NodeMain::say);
                break;
            case "stream":
                Probes.stream(node, words[1], words[2], words.length > 3 ? Integer.parseInt(words[3]) : 0, NodeMain::say);
                break;
            case "":
                return;
            default:
                say("ERROR unknown command '" + words[0] + "'");
                return;
        }
        say("OK");
    }

    /** Prints the membership whenever it changes: the test's and the demo's event stream. */
    private static void watch(FelixNode node) {
        String last = null;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                String now = membersLine(node.members());
                if (!now.equals(last)) {
                    say(now);
                    last = now;
                }
                Thread.sleep(WATCH_INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the framework is stopping
            }
        }
    }

    private static String membersLine(Optional<Set<String>> members) {
        return members.map(m -> "MEMBERS " + String.join(",", m)).orElse("NO-CLUSTER");
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
