package io.gencluster.dist.kit;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A node's cookie kept in a file: read when the file exists and, when it does not, created with 32
 * random capital letters (150 bits), readable by its owner only, so that every node one user
 * starts on one machine shares a cookie without configuration. Each transport says how its file
 * is read: the charset of its bytes and the white space around the cookie that is not part of it.
 *
 * <p>As {@code erl} does, a file that its group or others may access is refused: anyone who can
 * read it can join the cluster. A new file is written whole under a temporary name, owner-only
 * from the start, then linked into place, which fails if the file appeared meanwhile: of nodes
 * that race to create it, one wins and all read its cookie; none ever reads a half-written file.
 */
public final class CookieFile {

    /** Capital letters, as {@code erl} writes a cookie: any Erlang node reads it as it is. */
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    /** 32 letters of 26: log2(26) * 32 = 150 bits, above the 128 a generated cookie must have. */
    static final int GENERATED_LENGTH = 32;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
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

    /**
     * The cookie in {@code file}, which is created with a random cookie when it does not exist.
     *
     * @throws IOException when the file cannot be read or created, is empty or too large, or its
     *     group or others may access it (the message names the file and its mode)
     */
    public byte[] readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            create(file);
        }
        ownerOnly(file);
        if (Files.size(file) > MAX_BYTES) {
            throw new IOException("cookie file " + file + " is larger than " + MAX_BYTES + " bytes");
        }
        String cookie = trim.apply(Files.readString(file, charset));
        if (cookie.isEmpty()) {
            throw new IOException("cookie file " + file + " is empty");
        }
        return cookie.getBytes(charset);
    }

    /** Refuses a file its group or others may access, as {@code erl} does; file systems without POSIX modes are not checked. */
    private static void ownerOnly(Path file) throws IOException {
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return;
        }
        if (!OWNER_ONLY.containsAll(mode)) {
            throw new IOException("cookie file " + file + " has mode " + PosixFilePermissions.toString(mode)
                    + ": its group or others may read it; it must be accessible by its owner only (chmod 600)");
        }
    }

    /** Writes a new cookie file whole, then links it into place unless another node's came first. */
    private void create(Path file) throws IOException {
        StringBuilder cookie = new StringBuilder(GENERATED_LENGTH);
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < GENERATED_LENGTH; i++) {
            cookie.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        Path dir = file.toAbsolutePath().getParent();
        Path temp;
        try {
            temp = Files.createTempFile(dir, ".cookie-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            temp = Files.createTempFile(dir, ".cookie-", ".tmp"); // no POSIX permissions on this file system
        }
        try {
            Files.writeString(temp, cookie, charset);
            try {
                Files.createLink(file, temp); // atomic, and never replaces a file another node created
            } catch (UnsupportedOperationException e) {
                Files.move(temp, file); // no hard links here: refuses an existing file, if less atomically
            }
        } catch (FileAlreadyExistsException e) {
            // another node created it first: use its cookie
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
