package io.gencluster.dist.erlang;

import java.util.ArrayList;
import java.util.List;

/**
 * Distribution capability flags (OTP {@code dist.h}), the ones this node sends, and the ones it
 * requires of a peer. What we claim we must be able to read: we set none of the flags that would
 * make OTP use the atom cache, fragments or other headers, so every message arrives in the
 * pass-through form {@code 112, 131 control, 131 message}.
 */
final class DistFlags {

    static final long PUBLISHED = 0x1;
    static final long EXTENDED_REFERENCES = 0x4;
    static final long FUN_TAGS = 0x10;
    static final long NEW_FUN_TAGS = 0x80;
    static final long EXTENDED_PIDS_PORTS = 0x100;
    static final long EXPORT_PTR_TAG = 0x200;
    static final long BIT_BINARIES = 0x400;
    static final long NEW_FLOATS = 0x800;
    static final long UTF8_ATOMS = 0x10000;
    static final long MAP_TAG = 0x20000;
    static final long BIG_CREATION = 0x40000;
    static final long HANDSHAKE_23 = 0x1000000;
    static final long UNLINK_ID = 0x2000000;
    /** Stands for the whole OTP 25 mandatory set (bit 26: the code, not the doc's bit 36, is right). */
    static final long MANDATORY_25_DIGEST = 0x4000000;
    static final long NAME_ME = 1L << 33;
    static final long V4_NC = 1L << 34;

    /** What OTP 25 refuses to connect without. */
    static final long MANDATORY_25 = EXTENDED_REFERENCES | FUN_TAGS | NEW_FUN_TAGS | EXTENDED_PIDS_PORTS | EXPORT_PTR_TAG
            | BIT_BINARIES | NEW_FLOATS | UTF8_ATOMS | MAP_TAG | BIG_CREATION | HANDSHAKE_23;
    /** OTP 26 adds these; sending them lets newer nodes accept us too. */
    static final long MANDATORY_26 = UNLINK_ID | V4_NC;

    /** Ours: 0x403070F94, plus PUBLISHED for a visible node. */
    static long ours(boolean visible) {
        return MANDATORY_25 | MANDATORY_26 | (visible ? PUBLISHED : 0);
    }

    /** A peer's flags with MANDATORY_25_DIGEST expanded, as {@code dist_util} does. */
    private static long expand(long flags) {
        return (flags & MANDATORY_25_DIGEST) != 0 ? flags | MANDATORY_25 : flags;
    }

    /** Names of the mandatory flags {@code flags} lacks, empty when none. */
    static List<String> missing(long flags) {
        long f = expand(flags);
        List<String> out = new ArrayList<>();
        String[] names = {"EXTENDED_REFERENCES", "FUN_TAGS", "NEW_FUN_TAGS", "EXTENDED_PIDS_PORTS", "EXPORT_PTR_TAG",
            "BIT_BINARIES", "NEW_FLOATS", "UTF8_ATOMS", "MAP_TAG", "BIG_CREATION", "HANDSHAKE_23"};
        long[] bits = {EXTENDED_REFERENCES, FUN_TAGS, NEW_FUN_TAGS, EXTENDED_PIDS_PORTS, EXPORT_PTR_TAG, BIT_BINARIES,
            NEW_FLOATS, UTF8_ATOMS, MAP_TAG, BIG_CREATION, HANDSHAKE_23};
        for (int i = 0; i < bits.length; i++) {
            if ((f & bits[i]) == 0) {
                out.add(names[i]);
            }
        }
        return out;
    }

    private DistFlags() {
    }
}
