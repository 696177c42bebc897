package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void aForgedLogLineStaysOnItsLine() {
        String hostile = "b@host\r\n2026-12-02 WARNING node up: evil@host";
        String logged = LogText.escape(hostile);
        assertFalse(logged.contains("\n") || logged.contains("\r"), logged);
        assertEquals("b@host\\r\\n2026-12-02 WARNING node up: evil@host", logged);
    }

    @Test
    void controlCharactersAndBackslashesAreWrittenAsEscapes() {
        assertEquals("a\\u001b[31mb\\\\c\\u2028", LogText.escape("a\u001b[31mb\\c\u2028"));
    }

    @Test
    void longTextIsCutAndSaysHowLongItWas() {
        String logged = LogText.escape("x".repeat(100_000));
        assertTrue(logged.length() < LogText.MAX_CHARS + 30, "length " + logged.length());
        assertTrue(logged.endsWith("…(100000 chars)"), logged);
    }

    @Test
    void nullIsNamed() {
        assertEquals("(none)", LogText.escape(null));
    }
}
