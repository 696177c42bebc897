package io.gencluster.dist.erlang;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * {@code ~/.erlang.cookie}, read as {@code erl} reads it (trailing white space dropped) and, like
 * {@code erl}, created with 20 random capital letters, readable by its owner only, when missing;
 * so a Java node and the Erlang nodes of one user share a cookie without configuration.
 */
final class CookieFile {

    private static final int GENERATED_LENGTH = 20;
    private static final long MAX_BYTES = 4096;

    private CookieFile() {
    }

    static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".erlang.cookie");
    }

    static byte[] readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            SecureRandom random = new SecureRandom();
            StringBuilder cookie = new StringBuilder();
            for (int i = 0; i < GENERATED_LENGTH; i++) {
                cookie.append((char) ('A' + random.nextInt(26)));
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, cookie, StandardCharsets.ISO_8859_1);
            } catch (FileAlreadyExistsException e) {
                // an Erlang node created it first: use its cookie
            } catch (UnsupportedOperationException e) {
                Files.writeString(file, cookie, StandardCharsets.ISO_8859_1);
            }
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("cookie file " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        String cookie = Files.readString(file, StandardCharsets.ISO_8859_1).strip();
        if (cookie.isEmpty()) {
            throw new IOException("cookie file " + file + " is empty");
        }
        return cookie.getBytes(StandardCharsets.ISO_8859_1);
    }
}
