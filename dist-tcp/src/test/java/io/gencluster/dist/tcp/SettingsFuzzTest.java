package io.gencluster.dist.tcp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gencluster.testing.CfgValues;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values typed into {@code io.gencluster.dist.tcp.cfg}: the transport's settings accept them or
 * refuse them with an IllegalArgumentException naming the key and value, never anything else; and
 * accepted timings work in the transport's deadline arithmetic (clock + duration) without
 * overflow. TLS files are left out: they are read from disk, and TlsTest covers them.
 */
class SettingsFuzzTest {

    private static final String[] KEYS = {"node.name", "bind.address", "port", "peer.port", "cookie", "tick.ms", "busy.poll.us",
        "tick.timeout.ms", "handshake.timeout.ms", "max.handshakes", "max.handshakes.outgoing",
        "max.handshakes.per.address", "max.frame.bytes", "tls.verify.name", "tls.min.version", "send.queue.bytes",
        "mailbox.queue", "mailbox.queue.bytes", "cookie.allow.short", "mesh.transitive", "epmd.register", "epmd.port", "epmd.embedded"};

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void anyCfgValuesAreAcceptedOrRefusedByKeyAndValue(FuzzedDataProvider data) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEYS) {
            if (data.consumeBoolean()) {
                values.put(key, data.consumeString(24));
            }
        }
        // an empty name or cookie means the host's name or a cookie file in the home directory: not
        // what is fuzzed here
        values.compute("node.name", (k, v) -> v == null || v.isBlank() ? "a@127.0.0.1" : v);
        values.compute("cookie", (k, v) -> v == null || v.isEmpty() ? "fuzzing-cookie-of-16-bytes" : v);
        TcpDistSettings s;
        try {
            s = TcpDistComponent.settings(CfgValues.of(TcpDistConfig.class, values), new LinkedHashMap<>(values));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("key '")) {
                throw new AssertionError("refusal without the key: " + e.getMessage(), e);
            }
            return;
        }
        long now = System.currentTimeMillis();
        for (Duration d : new Duration[] {s.tick, s.tickTimeout, s.handshakeTimeout, s.handshakeTimeout.multipliedBy(2)}) {
            try {
                Math.addExact(now, d.toMillis());
                Math.addExact(System.nanoTime(), d.toNanos());
            } catch (ArithmeticException e) {
                throw new AssertionError("accepted a duration of " + d.toMillis() + " ms that overflows a deadline: " + values, e);
            }
        }
    }
}
