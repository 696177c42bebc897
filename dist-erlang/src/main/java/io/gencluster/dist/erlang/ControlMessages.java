package io.gencluster.dist.erlang;

import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlInteger;
import io.gencluster.erlang.ErlPid;
import io.gencluster.erlang.ErlTuple;
import io.gencluster.erlang.Term;
import io.gencluster.erlang.TermCodec;
import java.io.ByteArrayOutputStream;

/**
 * Distribution frames after the handshake, in the pass-through form OTP uses with a peer that
 * did not negotiate the atom cache: {@code length:u32, 112, 131 control-tuple, [131 message]}.
 * The control tuples this node sends and reads (operation codes from {@code erl_dist_protocol}):
 *
 * <pre>
 * SEND          {2, '', ToPid}                 + message
 * REG_SEND      {6, FromPid, '', ToName}       + message
 * UNLINK_ID     {35, Id, FromPid, ToPid}       answered with UNLINK_ID_ACK {36, Id, ToPid, FromPid}
 * </pre>
 *
 * Every other operation (links, monitors, exits, spawn requests) is read and ignored.
 */
final class ControlMessages {

    static final int PASS_THROUGH = 112;
    static final int DIST_HEADER = 68;
    static final int SEND = 2;
    static final int REG_SEND = 6;
    static final int UNLINK_ID = 35;
    static final int UNLINK_ID_ACK = 36;

    private ControlMessages() {
    }

    static Term send(ErlPid to) {
        return ErlTuple.of(ErlInteger.of(SEND), ErlAtom.EMPTY, to);
    }

    static Term regSend(ErlPid from, String toName) {
        return ErlTuple.of(ErlInteger.of(REG_SEND), from, ErlAtom.EMPTY, ErlAtom.of(toName));
    }

    /** A whole frame, length prefix included; {@code message} already encoded (version byte first), or null. */
    static byte[] frame(Term control, byte[] message) {
        byte[] ctrl = TermCodec.encode(control);
        int len = 1 + ctrl.length + (message == null ? 0 : message.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream(4 + len);
        out.write(len >>> 24);
        out.write(len >>> 16);
        out.write(len >>> 8);
        out.write(len);
        out.write(PASS_THROUGH);
        out.writeBytes(ctrl);
        if (message != null) {
            out.writeBytes(message);
        }
        return out.toByteArray();
    }
}
