package io.gencluster.dist.tcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The cookie kept in a file, as Erlang keeps {@code ~/.erlang.cookie}: read when it exists,
 * created with a random cookie readable by its owner only when it does not, so that every node
 * started by one user on one machine shares a cookie without configuration.
 */
final class CookieFile {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final int GENERATED_LENGTH = 20;
    private static final long MAX_BYTES = 4096;

    private CookieFile() {
    }

    static byte[] readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            StringBuilder cookie = new StringBuilder();
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < GENERATED_LENGTH; i++) {
                cookie.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, cookie, StandardCharsets.UTF_8);
            } catch (FileAlreadyExistsException e) {
                // another node created it first: use theirs
            } catch (UnsupportedOperationException e) {
                Files.writeString(file, cookie, StandardCharsets.UTF_8);
            }
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("cookie file " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        String cookie = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (cookie.isEmpty()) {
            throw new IOException("cookie file " + file + " is empty");
        }
        return cookie.getBytes(StandardCharsets.UTF_8);
    }
}
