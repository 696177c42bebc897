package io.gencluster.dist.erlang;

import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The challenges this node sent as the accepting side and whose replies it still waits for. As
 * the dialling side, a node that is sent one of them back must not answer it: the digest it would
 * send is the very reply the other connection waits for, so a node without the cookie could
 * forward it and pass as authenticated (a reflection attack). OTP's {@code dist_util} refuses such
 * a challenge too; the check is local, so the wire stays as Erlang's.
 */
final class OutstandingChallenges {

    private final Set<Long> outstanding = ConcurrentHashMap.newKeySet();

    /** A new challenge from {@code random}, distinct from every outstanding one; outstanding until {@link #answered}. */
    long issue(Random random) {
        while (true) {
            long c = Integer.toUnsignedLong(random.nextInt());
            if (outstanding.add(c)) {
                return c;
            }
        }
    }

    /** The handshake that issued {@code challenge} ended, whichever way. */
    void answered(long challenge) {
        outstanding.remove(challenge);
    }

    /** Whether {@code challenge} is one this node issued and still waits on. */
    boolean isOutstanding(long challenge) {
        return outstanding.contains(challenge);
    }
}
