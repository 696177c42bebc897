package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SettingChecksTest {

    private static String refusal(Executable check) {
        return assertThrows(IllegalArgumentException.class, check).getMessage();
    }

    @Test
    void aRefusalNamesTheKeyAndTheValue() {
        assertEquals("key 'port' has invalid value '70000': must be a port number", SettingChecks.invalid("port", 70000,
                "must be a port number").getMessage());
    }

    @Test
    void aValueThatDidNotConvertIsRefusedWithItsText() {
        Map<String, Object> raw = Map.of("port", "many");
        assertEquals("key 'port' has invalid value 'many': expected a whole number",
                refusal(() -> SettingChecks.number("port", () -> Integer.parseInt("many"), raw)));
        assertEquals(4370, SettingChecks.number("port", () -> 4370, raw));
    }

    @Test
    void boundsAreCheckedWithTheirReason() {
        assertEquals(1, SettingChecks.atLeast("mailbox.queue", 1, 1));
        assertEquals("key 'mailbox.queue' has invalid value '0': must be at least 1", refusal(() -> SettingChecks.atLeast("mailbox.queue", 0, 1)));
        assertEquals(4369, SettingChecks.portNumber("epmd.port", 4369));
        assertEquals("key 'epmd.port' has invalid value '0': must be a port number", refusal(() -> SettingChecks.portNumber("epmd.port", 0)));
        assertEquals("key 'epmd.port' has invalid value '65536': must be a port number",
                refusal(() -> SettingChecks.portNumber("epmd.port", 65536)));
    }

    @Test
    void aSendQueueMustHoldOneFrameWithItsOverhead() {
        assertEquals(1029, SettingChecks.holdsOneFrame(1029, 1024, 5));
        assertEquals("key 'send.queue.bytes' has invalid value '1028': must hold at least one frame of max.frame.bytes (1024)",
                refusal(() -> SettingChecks.holdsOneFrame(1028, 1024, 5)));
    }

    @Test
    void theCookieIsCopiedAndMustNotBeEmpty() {
        byte[] cookie = "sixteen-bytes-ok".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertArrayEquals(cookie, SettingChecks.cookie(cookie, false));
        assertNotSame(cookie, SettingChecks.cookie(cookie, false));
        assertEquals("key 'cookie' has invalid value '': must not be empty", refusal(() -> SettingChecks.cookie(new byte[0], true)));
        assertEquals("key 'cookie' has invalid value '': must not be empty", refusal(() -> SettingChecks.cookie(null, true)));
    }

    @Test
    void aCookieShorterThanSixteenBytesIsRefusedByLengthWithoutShowingIt() {
        String refused = refusal(() -> SettingChecks.cookie("change-me".getBytes(java.nio.charset.StandardCharsets.UTF_8), false));
        assertTrue(refused.startsWith("key 'cookie' (or the file of 'cookie.file') holds a cookie of 9 bytes, fewer than 16"), refused);
        assertTrue(refused.contains("cookie.allow.short"), "names the opt-out: " + refused);
        assertFalse(refused.contains("change-me"), "never shows the cookie: " + refused);
        byte[] shortCookie = {1, 2};
        assertArrayEquals(shortCookie, SettingChecks.cookie(shortCookie, true), "accepted when allowed");
    }
}
