package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.dist.tcp.tls.PeerNames;
import io.gencluster.testing.CfgValues;
import io.gencluster.testing.LogLines;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TLS keys as a .cfg file gives them: the new names, their defaults, and the old key still honoured. */
class TlsSettingsTest {

    private static TcpDistSettings settings(String... keyValues) {
        Map<String, String> values = new LinkedHashMap<>(Map.of("node.name", "a@127.0.0.1", "cookie", "a-cookie-of-the-tls-settings-test"));
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return TcpDistComponent.settings(CfgValues.of(TcpDistConfig.class, values), new LinkedHashMap<>(values));
    }

    @Test
    void certificatesMustNameTheHostByDefaultAndTls13IsTheOnlyVersion() {
        TcpDistSettings s = settings();
        assertEquals(PeerNames.HOST, s.tlsVerifyName);
        assertFalse(s.tlsAllow12);
        assertEquals(64, s.maxHandshakes);
        assertEquals(64, s.maxOutgoingHandshakes);
        assertEquals(16, s.maxHandshakesPerAddress);
    }

    @Test
    void theNewKeysAreRead() {
        assertEquals(PeerNames.NODE, settings("tls.verify.name", "node").tlsVerifyName);
        assertEquals(PeerNames.OFF, settings("tls.verify.name", "off").tlsVerifyName);
        assertTrue(settings("tls.min.version", "TLSv1.2").tlsAllow12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings("tls.verify.name", "maybe"));
        assertTrue(e.getMessage().contains("tls.verify.name") && e.getMessage().contains("maybe"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> settings("tls.min.version", "SSLv3"));
        assertTrue(e.getMessage().contains("tls.min.version") && e.getMessage().contains("SSLv3"), e.getMessage());
    }

    @Test
    void theOldHostnameKeyStillWorksWithAWarning() {
        try (LogLines captured = new LogLines(TcpDistComponent.class)) {
            assertEquals(PeerNames.HOST, settings("tls.verify.hostname", "true").tlsVerifyName);
            assertEquals(PeerNames.OFF, settings("tls.verify.hostname", "false").tlsVerifyName);
            assertEquals(PeerNames.NODE, settings("tls.verify.hostname", "false", "tls.verify.name", "node").tlsVerifyName);
            List<String> lines = captured.lines;
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("tls.verify.hostname = true is deprecated: use tls.verify.name = host"), lines.get(0));
        }
    }
}
