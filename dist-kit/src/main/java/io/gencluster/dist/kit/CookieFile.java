package io.gencluster.dist.kit;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.function.UnaryOperator;

/**
 * A node's cookie kept in a file: read when the file exists and, when it does not, created with 20
 * random capital letters, readable by its owner only, so that every node one user starts on one
 * machine shares a cookie without configuration. Each transport says how its file is read: the
 * charset of its bytes and the white space around the cookie that is not part of it.
 */
public final class CookieFile {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final int GENERATED_LENGTH = 20;
    /** A larger file is no cookie file: refused rather than read. */
    private static final long MAX_BYTES = 4096;

    private final String defaultName;
    private final Charset charset;
    private final UnaryOperator<String> trim;

    /**
     * @param defaultName the file, in the user's home directory, used when none is configured
     * @param charset how the file's bytes are read and written, and the cookie's bytes made
     * @param trim what of the text read is the cookie (dropping white space around it)
     */
    public CookieFile(String defaultName, Charset charset, UnaryOperator<String> trim) {
        this.defaultName = defaultName;
        this.charset = charset;
        this.trim = trim;
    }

    /** {@code defaultName} in the user's home directory, as it is now. */
    public Path defaultFile() {
        return Path.of(System.getProperty("user.home"), defaultName);
    }

    /**
     * The cookie a configuration gives: {@code cookie} itself (its UTF-8 bytes) when not empty,
     * else the content of {@code file}, or of {@link #defaultFile()} when {@code file} is blank,
     * created when missing.
     *
     * @throws IllegalArgumentException naming key {@code cookie.file} and the file when it cannot
     *     be read or created
     */
    public byte[] configured(String cookie, String file) {
        if (!cookie.isEmpty()) {
            return cookie.getBytes(StandardCharsets.UTF_8);
        }
        String name = file.isBlank() ? defaultFile().toString() : file.trim();
        try {
            return readOrCreate(Path.of(name));
        } catch (IOException | RuntimeException e) {
            throw SettingChecks.invalid("cookie.file", name, "cannot read or create it: " + e.getMessage());
        }
    }

    /** The cookie in {@code file}, which is created with a random cookie when it does not exist. */
    public byte[] readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            StringBuilder cookie = new StringBuilder();
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < GENERATED_LENGTH; i++) {
                cookie.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, cookie, charset);
            } catch (FileAlreadyExistsException e) {
                // another node created it first: use its cookie
            } catch (UnsupportedOperationException e) {
                Files.writeString(file, cookie, charset); // no POSIX permissions on this file system
            }
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("cookie file " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        String cookie = trim.apply(Files.readString(file, charset));
        if (cookie.isEmpty()) {
            throw new IOException("cookie file " + file + " is empty");
        }
        return cookie.getBytes(charset);
    }
}
