package io.gencluster.dist.erlang;

import io.gencluster.dist.kit.LogText;
import io.gencluster.dist.kit.Mailboxes;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlInteger;
import io.gencluster.erlang.ErlPid;
import io.gencluster.erlang.ErlTuple;
import io.gencluster.erlang.Term;
import io.gencluster.erlang.TermCodec;
import io.gencluster.erlang.TermFormatException;
import io.gencluster.erlang.TermReader;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What arrives on a connection after the handshake, and where it goes: messages to this node's
 * mailboxes (by registered name or by pid), {@code net_kernel} calls answered, UNLINK_ID
 * acknowledged, everything else ignored with a debug log. Frames and control messages:
 * {@link ControlMessages}. Runs on each connection's reader thread.
 */
final class Inbound {

    private static final System.Logger LOG = System.getLogger(Inbound.class.getName());
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** OTP's own registered processes that talk to a visible node at once (erpc's rex, global). */
    private static final Set<String> OTP_SERVICES = Set.of("rex", "global_name_server", "global_group", "global_group_check");

    private final MailboxPids pids;
    private final Mailboxes mailboxes;
    private final DroppedMessages dropped;
    private volatile long lastUnsupportedLog;

    Inbound(MailboxPids pids, Mailboxes mailboxes, DroppedMessages dropped) {
        this.pids = pids;
        this.mailboxes = mailboxes;
        this.dropped = dropped;
    }

    void frame(Connection c, byte[] frame) throws ProtocolException {
        int type = frame[0] & 0xff;
        if (type != ControlMessages.PASS_THROUGH) {
            throw new ProtocolException(type == ControlMessages.DIST_HEADER
                    ? c.peer + " sent a distribution header (atom cache), which was not negotiated"
                    : c.peer + " sent a frame of unknown type " + type);
        }
        TermReader r = new TermReader(frame, 1, frame.length - 1);
        Term control;
        try {
            control = r.readVersioned();
        } catch (TermFormatException e) {
            throw new ProtocolException("malformed control message from " + c.peer + ": " + LogText.escape(e.getMessage()));
        }
        if (!(control instanceof ErlTuple t) || t.arity() < 1 || !(t.get(0) instanceof ErlInteger op)) {
            throw new ProtocolException("control message from " + c.peer + " is not a tuple with an operation: " + LogText.escape(String.valueOf(control)));
        }
        byte[] payload = java.util.Arrays.copyOfRange(frame, r.position(), frame.length);
        int operation = op.value().bitLength() < 16 ? op.value().intValue() : -1;
        switch (operation) {
            case ControlMessages.SEND -> {
                if (t.arity() != 3 || !(t.get(2) instanceof ErlPid to)) {
                    throw new ProtocolException("SEND from " + c.peer + " is not {2, '', ToPid}: " + LogText.escape(String.valueOf(control)));
                }
                if (message(c, payload) != null) {
                    toPid(c, to, payload);
                }
            }
            case ControlMessages.REG_SEND -> {
                if (t.arity() != 4 || !(t.get(3) instanceof ErlAtom name)) {
                    throw new ProtocolException("REG_SEND from " + c.peer + " is not {6, From, '', Name}: " + LogText.escape(String.valueOf(control)));
                }
                Term message = message(c, payload);
                if (message == null) {
                    return;
                }
                if (name.name().equals("net_kernel")) {
                    netKernel(c, message);
                } else if (OTP_SERVICES.contains(name.name()) && !mailboxes.has(name.name())) {
                    // a visible node is sent these by every Erlang node it meets; nothing to warn about
                    LOG.log(Level.DEBUG, "message from {0} to {1} ignored: {2}", c.peer, LogText.escape(name.name()),
                            LogText.escape(String.valueOf(message)));
                } else if (!mailboxes.has(name.name())) {
                    dropped.dropped(c.peer, "'" + name.name() + "'");
                } else {
                    deliver(c, name.name(), payload);
                }
            }
            case ControlMessages.UNLINK_ID -> {
                if (t.arity() == 4) {
                    reply(c, ControlMessages.frame(ErlTuple.of(ErlInteger.of(ControlMessages.UNLINK_ID_ACK), t.get(1), t.get(3), t.get(2)), null));
                }
            }
            default -> LOG.log(Level.DEBUG, "control message from {0} ignored: {1}", c.peer, LogText.escape(String.valueOf(control)));
        }
    }

    /** The message of a frame, decoded: null (logged, dropped) when of a kind not read; malformed closes the connection. */
    private Term message(Connection c, byte[] payload) throws ProtocolException {
        if (payload.length == 0) {
            throw new ProtocolException(c.peer + " sent a message operation without a message");
        }
        try {
            return TermCodec.decode(payload);
        } catch (TermFormatException e) {
            if (!e.isUnsupported()) {
                throw new ProtocolException("malformed message from " + c.peer + ": " + LogText.escape(e.getMessage()));
            }
            long now = System.nanoTime();
            if (now - lastUnsupportedLog > LOG_INTERVAL_NANOS) {
                lastUnsupportedLog = now;
                LOG.log(Level.WARNING, "message from {0} dropped: {1}", c.peer, LogText.escape(e.getMessage()));
            }
            return null;
        }
    }

    /**
     * Enough of {@code net_kernel} for {@code net_adm:ping/1}: a
     * {@code {'$gen_call', {From, Tag}, {is_auth, Node}}} is answered {@code {Tag, yes}}.
     */
    private void netKernel(Connection c, Term message) {
        if (message instanceof ErlTuple call && call.arity() == 3 && ErlAtom.of("$gen_call").equals(call.get(0))
                && call.get(1) instanceof ErlTuple from && from.arity() == 2 && from.get(0) instanceof ErlPid caller
                && call.get(2) instanceof ErlTuple request && request.arity() == 2 && ErlAtom.of("is_auth").equals(request.get(0))) {
            reply(c, ControlMessages.frame(ControlMessages.send(caller),
                    TermCodec.encode(ErlTuple.of(from.get(1), ErlAtom.of("yes")))));
        } else {
            LOG.log(Level.DEBUG, "net_kernel request from {0} ignored: {1}", c.peer, LogText.escape(String.valueOf(message)));
        }
    }

    private void reply(Connection c, byte[] frame) {
        try {
            if (!c.send(frame, TimeUnit.MILLISECONDS.toNanos(Mailboxes.OFFER_WAIT_MS))) {
                LOG.log(Level.DEBUG, "reply to {0} dropped: its send queue is full", c.peer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void toPid(Connection c, ErlPid to, byte[] payload) {
        String mailbox = pids.mailbox(to);
        if (mailbox == null) {
            dropped.dropped(c.peer, "pid " + to);
            return;
        }
        deliver(c, mailbox, payload);
    }

    private void deliver(Connection c, String mailbox, byte[] payload) {
        try {
            mailboxes.deliver(c.peer, mailbox, payload);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
