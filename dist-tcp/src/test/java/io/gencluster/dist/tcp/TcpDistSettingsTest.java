package io.gencluster.dist.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gencluster.api.NodeName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the transport's settings refuse, and how they say it. */
class TcpDistSettingsTest {

    @Test
    void settingsRejectBadValuesNamingKeyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpDistSettings
                .builder(NodeName.parse("a@h"), "sixteen-byte-cookie".getBytes(StandardCharsets.UTF_8)).tick(Duration.ofMillis(1000)).tickTimeout(Duration.ofMillis(1500)).build());
        assertTrue(e.getMessage().contains("'tick.timeout.ms' has invalid value '1500'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TcpDistSettings.builder(NodeName.parse("a@h"), "sixteen-byte-cookie".getBytes(StandardCharsets.UTF_8)).port(70000).build());
        assertTrue(e.getMessage().contains("'port' has invalid value '70000'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TcpDistSettings.builder(NodeName.parse("a@h"), new byte[0]).build());
        assertTrue(e.getMessage().contains("'cookie'"), e.getMessage());
    }

    @Test
    void aCookieShorterThanSixteenBytesIsRefusedUnlessShortCookiesAreAllowed() {
        byte[] guessable = "change-me".getBytes(StandardCharsets.UTF_8);
        String refused = assertThrows(IllegalArgumentException.class,
                () -> TcpDistSettings.builder(NodeName.parse("a@h"), guessable).build()).getMessage();
        assertTrue(refused.startsWith("key 'cookie' (or the file of 'cookie.file') holds a cookie of 9 bytes, fewer than 16"), refused);
        assertFalse(refused.contains("change-me"), "the cookie is never shown: " + refused);
        assertArrayEquals(guessable, TcpDistSettings.builder(NodeName.parse("a@h"), guessable).allowShortCookie(true).build().cookie);
    }
}
