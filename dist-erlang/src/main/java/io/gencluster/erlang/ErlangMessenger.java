package io.gencluster.erlang;

import io.gencluster.api.MessagingException;
import io.gencluster.api.NodeName;
import java.time.Duration;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Sends terms to Erlang processes, the way {@code erlang:send/2} does. Registered by dist-erlang
 * next to its {@code Dist} and {@code Messenger} services. Thread-safe; never blocks on the
 * network, only (up to {@code maxWait}) on a full send queue.
 *
 * <p>A Java mailbox (a {@link io.gencluster.api.MessageHandler} registered with a
 * {@code gencluster.mailbox} name) is reachable from Erlang both by name, {@code {Name, Node} ! Msg},
 * and by its pid ({@link #pid(String)}), which Erlang code can reply to: send
 * {@code {pid("replies"), Request}} and the answer {@code Pid ! Reply} arrives at mailbox "replies".
 */
@ProviderType
public interface ErlangMessenger {

    /**
     * {@code {registeredName, node} ! message}, sent from {@code fromMailbox}'s pid.
     *
     * @throws MessagingException when the node is not connected, the queue stayed full, or the
     *     message is larger than the largest frame
     */
    void send(NodeName node, String registeredName, Term message, String fromMailbox, Duration maxWait) throws MessagingException;

    /** {@code pid ! message}; the pid's node must be connected. */
    void send(ErlPid to, Term message, Duration maxWait) throws MessagingException;

    /** The pid of this node's mailbox {@code mailbox}: the same pid for the same name while the transport runs. */
    ErlPid pid(String mailbox);

    /** This node's name as an atom, as pids and references of this node carry it. */
    ErlAtom node();
}
