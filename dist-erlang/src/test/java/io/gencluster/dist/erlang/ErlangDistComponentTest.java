package io.gencluster.dist.erlang;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration as DS hands it over: defaults, the cookie file, and bad values named by key. */
class ErlangDistComponentTest {

    @TempDir
    Path dir;

    /** A Config whose methods return {@code values} (by configuration key) or the annotation's defaults. */
    private static ErlangDistConfig config(Map<String, Object> values) {
        return (ErlangDistConfig) Proxy.newProxyInstance(ErlangDistConfig.class.getClassLoader(),
                new Class<?>[] {ErlangDistConfig.class}, (p, m, args) -> {
                    String key = m.getName().replace('_', '.');
                    return values.containsKey(key) ? values.get(key) : m.getDefaultValue();
                });
    }

    private static ErlangDistSettings settings(Map<String, Object> values) {
        return ErlangDistComponent.settings(config(values), values);
    }

    @Test
    void defaultsAreErlangs() {
        ErlangDistSettings s = settings(Map.of("node.name", "java@127.0.0.1", "cookie", "a-cookie-of-sixteen-bytes"));
        assertEquals(Duration.ofSeconds(60), s.netTickTime);
        assertEquals(Duration.ofSeconds(7), s.handshakeTimeout);
        assertTrue(s.hidden);
        assertEquals(0, s.port);
        assertTrue(s.epmdRegister);
        assertArrayEquals("a-cookie-of-sixteen-bytes".getBytes(StandardCharsets.UTF_8), s.cookie);
    }

    @Test
    void aShortCookieIsRefusedByLengthUnlessShortCookiesAreAllowed() {
        String refused = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("node.name", "java@127.0.0.1", "cookie", "change-me"))).getMessage();
        assertTrue(refused.startsWith("key 'cookie' (or the file of 'cookie.file') holds a cookie of 9 bytes, fewer than 16"), refused);
        assertFalse(refused.contains("change-me"), refused);
        ErlangDistSettings lab = settings(Map.of("node.name", "java@127.0.0.1", "cookie", "change-me", "cookie.allow.short", true));
        assertArrayEquals("change-me".getBytes(StandardCharsets.UTF_8), lab.cookie);
    }

    @Test
    void theCookieFileIsReadAsErlReadsIt() throws Exception {
        Path file = Files.writeString(dir.resolve("cookie"), "ABCDEFGHIJKLMNOPQRST\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------")); // as erl leaves it
        ErlangDistSettings s = settings(Map.of("node.name", "java@127.0.0.1", "cookie.file", file.toString()));
        assertArrayEquals("ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII), s.cookie);
    }

    @Test
    void aMissingCookieFileIsCreatedOwnerOnlyWithARandomCookie() throws Exception {
        Path file = dir.resolve("new-cookie");
        ErlangDistSettings s = settings(Map.of("node.name", "java@127.0.0.1", "cookie.file", file.toString()));
        String cookie = Files.readString(file);
        assertTrue(cookie.matches("[A-Z]{32}"), cookie);
        assertArrayEquals(cookie.getBytes(StandardCharsets.US_ASCII), s.cookie);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void badValuesAreNamedByKeyAndValue() {
        Map<String, Object> bad = new HashMap<>(Map.of("node.name", "bad name@host", "cookie", "a-cookie-of-sixteen-bytes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(bad)).getMessage()
                .startsWith("key 'node.name' has invalid value 'bad name@host'"));
        bad.put("node.name", "java@127.0.0.1");
        bad.put("net.ticktime.s", 0);
        assertEquals("key 'net.ticktime.s' has invalid value '0': must be 1-3600 seconds",
                assertThrows(IllegalArgumentException.class, () -> settings(bad)).getMessage());
        Map<String, Object> noCookie = Map.of("node.name", "java@127.0.0.1", "cookie.file", dir.toString());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(noCookie)).getMessage()
                .startsWith("key 'cookie.file' has invalid value '" + dir + "'"));
    }
}
