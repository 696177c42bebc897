package io.gencluster.dist.kit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CookieFileTest {

    private static final CookieFile UTF8_TRIMMED = new CookieFile(".test.cookie", StandardCharsets.UTF_8, String::trim);
    private static final CookieFile LATIN1_STRIPPED = new CookieFile(".test.cookie", StandardCharsets.ISO_8859_1, String::strip);

    @TempDir
    Path dir;

    /** {@code file}, made accessible by its owner only, as a cookie file must be. */
    private static Path ownerOnly(Path file) throws IOException {
        return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aFileItsGroupOrOthersMayReadIsRefusedNamingItAndItsMode() throws IOException {
        Path file = Files.writeString(dir.resolve("cookie"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        String refused = assertThrows(IOException.class, () -> UTF8_TRIMMED.readOrCreate(file)).getMessage();
        assertEquals("cookie file " + file + " has mode rw-r--r--: its group or others may read it;"
                + " it must be accessible by its owner only (chmod 600)", refused);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
        assertThrows(IOException.class, () -> UTF8_TRIMMED.readOrCreate(file), "others alone, too");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        assertArrayEquals("ABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(StandardCharsets.UTF_8), UTF8_TRIMMED.readOrCreate(file));
    }

    @Test
    void nodesRacingToCreateTheFileAllReadOneCookieAndLeaveNoTemporaryFile() throws Exception {
        int nodes = 8;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            for (int round = 0; round < 50; round++) {
                Path file = dir.resolve("race-" + round);
                CyclicBarrier start = new CyclicBarrier(nodes);
                List<Future<String>> cookies = new ArrayList<>();
                for (int i = 0; i < nodes; i++) {
                    cookies.add(pool.submit(() -> {
                        start.await();
                        return new String(UTF8_TRIMMED.readOrCreate(file), StandardCharsets.UTF_8);
                    }));
                }
                Set<String> seen = new HashSet<>();
                for (Future<String> c : cookies) {
                    seen.add(c.get(10, TimeUnit.SECONDS));
                }
                assertEquals(Set.of(Files.readString(file)), seen, "round " + round + ": every node read the cookie in the file");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> !p.getFileName().toString().startsWith("race-")).toList());
        }
    }

    @Test
    void aMissingFileIsCreatedOwnerOnlyWithAtLeast128BitsOfCapitalLetters() throws IOException {
        Path file = dir.resolve("cookie");
        byte[] cookie = UTF8_TRIMMED.readOrCreate(file);
        String written = Files.readString(file);
        assertTrue(written.matches("[A-Z]{32}"), written);
        assertTrue(written.length() * Math.log(26) / Math.log(2) >= 128, "bits of entropy");
        assertArrayEquals(written.getBytes(StandardCharsets.US_ASCII), cookie);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(cookie, UTF8_TRIMMED.readOrCreate(file), "read again, not replaced");
    }

    @Test
    void eachTransportReadsTheFileInItsOwnCharset() throws IOException {
        Path utf8 = ownerOnly(Files.write(dir.resolve("utf8"), "caf\u00e9\n".getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals("caf\u00e9".getBytes(StandardCharsets.UTF_8), UTF8_TRIMMED.readOrCreate(utf8));
        // Latin-1 keeps every byte as it is, whatever it would mean in UTF-8
        Path latin1 = ownerOnly(Files.write(dir.resolve("latin1"), new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'}));
        assertArrayEquals(new byte[] {'c', 'a', 'f', (byte) 0xe9}, LATIN1_STRIPPED.readOrCreate(latin1));
        assertThrows(IOException.class, () -> UTF8_TRIMMED.readOrCreate(latin1), "not UTF-8");
    }

    @Test
    void whiteSpaceAroundTheCookieIsDroppedAsEachTransportSays() throws IOException {
        Path file = ownerOnly(Files.writeString(dir.resolve("cookie"), "\u2003ABC\u2003\n", StandardCharsets.UTF_8));
        // trim() drops control characters and spaces only, strip() any Unicode white space
        assertArrayEquals("\u2003ABC\u2003".getBytes(StandardCharsets.UTF_8), UTF8_TRIMMED.readOrCreate(file));
        Path latin1 = ownerOnly(Files.write(dir.resolve("latin1"), new byte[] {' ', 'A', 'B', 'C', '\t', '\n'}));
        assertArrayEquals("ABC".getBytes(StandardCharsets.ISO_8859_1), LATIN1_STRIPPED.readOrCreate(latin1));
    }

    @Test
    void anEmptyOrOversizedFileIsRefused() throws IOException {
        Path empty = ownerOnly(Files.writeString(dir.resolve("empty"), " \n"));
        assertTrue(assertThrows(IOException.class, () -> UTF8_TRIMMED.readOrCreate(empty)).getMessage().endsWith("is empty"));
        Path large = ownerOnly(Files.write(dir.resolve("large"), new byte[4097]));
        assertTrue(assertThrows(IOException.class, () -> UTF8_TRIMMED.readOrCreate(large)).getMessage()
                .endsWith("is larger than 4096 bytes"));
    }

    @Test
    void aConfiguredCookieWinsOverTheFile() {
        Path file = dir.resolve("never-created");
        assertArrayEquals("s3cret".getBytes(StandardCharsets.UTF_8), LATIN1_STRIPPED.configured("s3cret", file.toString()));
        assertTrue(Files.notExists(file));
    }

    @Test
    void aConfiguredFileIsReadOrCreated() throws IOException {
        Path file = ownerOnly(Files.writeString(dir.resolve("cookie"), "XYZ\n"));
        assertArrayEquals("XYZ".getBytes(StandardCharsets.UTF_8), UTF8_TRIMMED.configured("", " " + file + " "));
    }

    @Test
    void aFileThatCannotBeReadIsRefusedByKeyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UTF8_TRIMMED.configured("", dir.toString()));
        assertTrue(e.getMessage().startsWith("key 'cookie.file' has invalid value '" + dir + "': cannot read or create it: "),
                e.getMessage());
    }

    @Test
    void theDefaultFileIsInTheHomeDirectory() {
        assertEquals(Path.of(System.getProperty("user.home"), ".test.cookie"), UTF8_TRIMMED.defaultFile());
    }
}
