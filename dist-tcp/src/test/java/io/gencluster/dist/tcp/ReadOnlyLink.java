package io.gencluster.dist.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link Link} for tests of the reading side: its reads come from {@code reads}, it takes no
 * writes and has no handshake.
 */
final class ReadOnlyLink implements Link {

    /** Where the link's bytes come from, as {@link Link#read}. */
    @FunctionalInterface
    interface Reads {
        int into(ByteBuffer dst) throws IOException;
    }

    private final Reads reads;
    private final boolean shortReadDrains;

    /**
     * @param shortReadDrains as {@link Link#shortReadDrains}: true as plain TCP, where a read that
     *     left room ends the reading until the next readiness
     */
    ReadOnlyLink(Reads reads, boolean shortReadDrains) {
        this.reads = reads;
        this.shortReadDrains = shortReadDrains;
    }

    @Override
    public boolean handshake() {
        return true;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return reads.into(dst);
    }

    @Override
    public long write(ByteBuffer[] srcs, int count) {
        return 0;
    }

    @Override
    public boolean pendingOutput() {
        return false;
    }

    @Override
    public boolean shortReadDrains() {
        return shortReadDrains;
    }
}
