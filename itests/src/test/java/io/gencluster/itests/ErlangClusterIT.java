package io.gencluster.itests;

import static io.gencluster.itests.EmbeddedNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.epmd.EpmdClient;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlBinary;
import io.gencluster.erlang.ErlFloat;
import io.gencluster.erlang.ErlInteger;
import io.gencluster.erlang.ErlList;
import io.gencluster.erlang.ErlMap;
import io.gencluster.erlang.ErlTuple;
import io.gencluster.erlang.Term;
import io.gencluster.erlang.TermCodec;
import io.gencluster.itests.node.FelixNode;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Java node in Felix with dist-erlang, epmd-all discovery and the runtime, in a cluster of real
 * Erlang/OTP nodes: a private epmd on a free port, {@code erl -name eN@127.0.0.1} nodes each
 * running a registered {@code echo} process, everything on loopback and stopped by PID.
 */
class ErlangClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String JAVA = "java@127.0.0.1";
    private static final String COOKIE = "erlang-cookie-for-tests";

    /** The Erlang side: {@code echo} answers to whatever {@code To} ({@code {Name, Node}} or a pid) the message names. */
    private static final String ECHO = "register(echo, spawn(fun Loop() -> receive"
            + " {echo, To, T} -> To ! {reply, T, node()};"
            + " {nodes, To} -> To ! {nodes, node(), nodes(), nodes(hidden)};"
            + " {ping, To, Node} -> To ! {ping, node(), net_adm:ping(Node)};"
            + " _ -> ok end, Loop() end)),"
            // node events in the log, for failure messages
            + " spawn(fun() -> net_kernel:monitor_nodes(true, [nodedown_reason, {node_type, all}]), (fun W() ->"
            + " receive E -> io:format(\"~p~n\", [E]), W() end end)() end),"
            + " io:format(\"echo ready~n\").";

    private Path work;
    private ErlangProcesses erlang;
    private int epmdPort;
    private FelixNode java;
    private final BlockingQueue<Term> replies = new LinkedBlockingQueue<>();
    private final List<String> javaLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            javaLog.add(new java.util.logging.SimpleFormatter().formatMessage(r));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createDirectories(Path.of(System.getProperty("work.dir"), "erlang-" + System.nanoTime()));
        erlang = new ErlangProcesses(work.resolve("erlang"));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            epmdPort = s.getLocalPort();
        }
        erlang.epmd(epmdPort);
        Logger.getLogger("").addHandler(logCapture); // the bundles log through System.Logger, which is JUL here
    }

    @AfterEach
    void tearDown() throws Exception {
        Logger.getLogger("").removeHandler(logCapture);
        if (java != null) {
            java.close();
        }
        erlang.close();
    }

    /** The Java node: dist-erlang with {@code cookie} and tick time, and (when {@code discover}) epmd-all with Erlang nodes included. */
    private FelixNode javaNode(String cookie, int tickSeconds, boolean discover) throws Exception {
        return javaNode(cookie, tickSeconds, discover, true);
    }

    private FelixNode javaNode(String cookie, int tickSeconds, boolean discover, boolean hidden) throws Exception {
        java = new FelixNode(Path.of(System.getProperty("bundles.dir")), work.resolve("java"));
        java.start();
        java.mailbox("replies", (from, payload) -> {
            try {
                replies.add(TermCodec.decode(payload));
            } catch (Exception e) {
                replies.add(ErlAtom.of("undecodable: " + e.getMessage()));
            }
        });
        java.configure("io.gencluster.dist.erlang", Map.of("node.name", JAVA, "cookie", cookie, "bind.address", "127.0.0.1",
                "epmd.port", String.valueOf(epmdPort), "net.ticktime.s", String.valueOf(tickSeconds), "hidden", String.valueOf(hidden)));
        if (discover) {
            java.configure("io.gencluster.discovery.epmd", Map.of("epmd.port", String.valueOf(epmdPort), "include.foreign", "true"));
        }
        EmbeddedNodes.runtime(java);
        await("java registered with epmd", () -> names().containsKey("java"), true);
        return java;
    }

    private Process erl(String name, String cookie, int tickSeconds, String eval) throws Exception {
        Process p = erlang.erlLongName(name, epmdPort, cookie, tickSeconds, eval);
        await(name + " started", () -> logOf(name).contains("ready") || !p.isAlive(), true);
        assertTrue(p.isAlive(), () -> name + " exited: " + logOf(name));
        return p;
    }

    private String logOf(String name) {
        try {
            return erlang.log(name);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private Map<String, Integer> names() {
        try {
            return new EpmdClient("127.0.0.1", epmdPort, Duration.ofSeconds(2)).names();
        } catch (Exception e) {
            return Map.of();
        }
    }

    private static ErlAtom a(String s) {
        return ErlAtom.of(s);
    }

    /** {@code {Name, Node}}: how an Erlang process addresses the Java mailbox. */
    private static ErlTuple repliesMailbox() {
        return ErlTuple.of(a("replies"), a(JAVA));
    }

    private void send(String node, Term message) {
        assertTrue(java.send(node, "echo", TermCodec.encode(message), Duration.ofSeconds(5)), "send to echo on " + node);
    }

    private Term reply() throws InterruptedException {
        Term t = replies.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("no reply within " + TIMEOUT + "; " + java.describe());
        }
        return t;
    }

    @Test
    void javaNodeJoinsTwoErlangNodesFoundThroughEpmdAndExchangesTermsWithTheirProcesses() throws Exception {
        erl("e1", COOKIE, 60, ECHO);
        erl("e2", COOKIE, 60, ECHO);
        javaNode(COOKIE, 60, true);
        await("members of the Java node", java::members, Optional.of(Set.of("e1@127.0.0.1", "e2@127.0.0.1")));

        Term term = ErlTuple.of(a("hello"), ErlInteger.of(-42), new ErlInteger(new BigInteger("123456789012345678901234567890")),
                ErlFloat.of(2.5), ErlBinary.of("bytes \u00e9"), a("\u00e4tom"), ErlList.of(ErlInteger.of(1), ErlList.NIL),
                ErlList.improper(List.of(a("alias")), a("tail")), ErlMap.of(Map.of(a("k"), ErlBinary.of("v"))), ErlTuple.of());
        for (String node : List.of("e1@127.0.0.1", "e2@127.0.0.1")) {
            send(node, ErlTuple.of(a("echo"), repliesMailbox(), term));
            assertEquals(ErlTuple.of(a("reply"), term, a(node)), reply(), "the term came back intact from " + node);
        }

        send("e1@127.0.0.1", ErlTuple.of(a("nodes"), repliesMailbox()));
        assertEquals(ErlTuple.of(a("nodes"), a("e1@127.0.0.1"), ErlList.NIL, ErlList.of(a(JAVA))), reply(),
                "e1 sees the Java node as hidden and, hidden itself, not e2");

        send("e2@127.0.0.1", ErlTuple.of(a("ping"), repliesMailbox(), a(JAVA)));
        assertEquals(ErlTuple.of(a("ping"), a("e2@127.0.0.1"), a("pong")), reply(), "net_adm:ping from Erlang");
    }

    @Test
    void aVisibleJavaNodeIsInNodesAndStaysConnectedThroughOtpsOwnTraffic() throws Exception {
        erl("e5", COOKIE, 60, ECHO);
        javaNode(COOKIE, 60, true, false);
        await("members of the Java node", java::members, Optional.of(Set.of("e5@127.0.0.1")));
        // a visible node is sent rex and global_name_server messages at once; then it must still work
        send("e5@127.0.0.1", ErlTuple.of(a("nodes"), repliesMailbox()));
        assertEquals(ErlTuple.of(a("nodes"), a("e5@127.0.0.1"), ErlList.of(a(JAVA)), ErlList.NIL), reply());
        send("e5@127.0.0.1", ErlTuple.of(a("echo"), repliesMailbox(), a("still")));
        assertEquals(ErlTuple.of(a("reply"), a("still"), a("e5@127.0.0.1")), reply());
        assertEquals(Optional.of(Set.of("e5@127.0.0.1")), java.members());
    }

    @Test
    void anErlangNodeDialsTheJavaNodeAndItsPingAnswersPong() throws Exception {
        javaNode(COOKIE, 60, false); // no discovery: only the Erlang node can make this connection
        erl("e3", COOKIE, 60, "R = net_adm:ping('" + JAVA + "'), {replies, '" + JAVA + "'} ! {dialled, R, nodes(hidden)},"
                + " io:format(\"ready ~p~n\", [R]).");
        assertEquals(ErlTuple.of(a("dialled"), a("pong"), ErlList.of(a(JAVA))), reply());
        await("members of the Java node", java::members, Optional.of(Set.of("e3@127.0.0.1")));
    }

    @Test
    void aKilledErlangNodeIsReportedDownAtOnceAndAFrozenOneWithinTheTickTime() throws Exception {
        int tick = 4;
        Process e1 = erl("e1", COOKIE, tick, ECHO);
        Process e2 = erl("e2", COOKIE, tick, ECHO);
        javaNode(COOKIE, tick, true);
        await("members of the Java node", java::members, Optional.of(Set.of("e1@127.0.0.1", "e2@127.0.0.1")));

        e1.destroyForcibly();
        await("e1 down once killed", java::members, Optional.of(Set.of("e2@127.0.0.1")));

        ErlangProcesses.signal(e2, "STOP"); // its socket stays open: only the missing ticks can tell
        long frozen = System.nanoTime();
        await("e2 down once frozen", java::members, Optional.of(Set.of()));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozen);
        System.out.println("frozen Erlang node reported down after " + ms + " ms (net tick time " + tick + " s)");
        assertTrue(ms >= (tick - 1) * 1000L, "down after " + ms + " ms: before the net tick time could have passed");
        await("the Java node logged why", () -> javaLog.stream().anyMatch(l -> l.contains("node down e2@127.0.0.1 (HEARTBEAT_TIMEOUT")), true);
        ErlangProcesses.signal(e2, "CONT");
    }

    @Test
    void aWrongCookieIsRefusedOnBothSides() throws Exception {
        javaNode(COOKIE, 60, true);
        // pinged ten times: a ping that meets the Java node's own dial to e4 is answered 'nok' (one
        // connection per pair) before any cookie is checked, so one ping alone may never reach the check
        erl("e4", "another-cookie", 60, "R = [begin timer:sleep(300), net_adm:ping('" + JAVA + "') end"
                + " || _ <- lists:seq(1, 10)], io:format(\"ready ~p~n\", [lists:usort(R)]).");
        await("Erlang's pings of the Java node", () -> logOf("e4").contains("ready [pang]"), true);
        // refused handshakes are counted by source address and cause (the claimed name is peer-supplied)
        await("the Java node refused e4's challenge reply", () -> javaLog.stream().anyMatch(l ->
                l.contains("refused handshake from 127.0.0.1: wrong cookie")), true);
        // discovery makes the Java node dial e4 too: e4 refuses it, and the Java node says why
        await("e4 refused the Java node's challenge reply", () -> logOf("e4").contains("Invalid challenge reply"), true);
        await("the Java node logged the refusal", () -> javaLog.stream().anyMatch(l ->
                l.contains("e4@127.0.0.1 closed the connection on this node's challenge reply: the cookies differ")), true);
        assertEquals(Optional.of(Set.of()), java.members());
        assertTrue(javaLog.stream().noneMatch(l -> l.contains(COOKIE) || l.contains("another-cookie")), "no log line holds a cookie");
    }
}
