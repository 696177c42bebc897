package io.gencluster.dist.kit;

import io.gencluster.api.ClusterListener;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.MessagingException;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.spi.Dist;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A transport as its DS component registers it: its {@link Dist} and {@link Messenger} methods and
 * nothing else, so that no user of the service can stop or restart what the component runs. The
 * transport's lifecycle and mailboxes are reached by {@link TransportRunner} only. A transport
 * offering more services extends this class with their methods.
 */
public class TransportService implements Dist, Messenger {

    private final Transport transport;
    private final String address;

    /**
     * @param transport a transport not started yet
     * @param address where it is configured to listen ({@code host:port}), for the log when it cannot
     */
    public TransportService(Transport transport, String address) {
        this.transport = transport;
        this.address = address;
    }

    @Override
    public NodeName self() {
        return transport.self();
    }

    @Override
    public Optional<String> transport() {
        return transport.transport();
    }

    @Override
    public Set<NodeName> members() {
        return transport.members();
    }

    @Override
    public CompletionStage<Void> connect(Peer peer, Duration timeout) {
        return transport.connect(peer, timeout);
    }

    @Override
    public void disconnect(NodeName node) {
        transport.disconnect(node);
    }

    @Override
    public void addListener(ClusterListener listener) {
        transport.addListener(listener);
    }

    @Override
    public void removeListener(ClusterListener listener) {
        transport.removeListener(listener);
    }

    @Override
    public void send(NodeName node, String mailbox, byte[] payload, Duration maxWait) throws MessagingException {
        transport.send(node, mailbox, payload, maxWait);
    }

    String address() {
        return address;
    }

    void start() throws IOException {
        transport.start();
    }

    int port() {
        return transport.port();
    }

    void addMailbox(String mailbox, MessageHandler handler, boolean inline) {
        if (inline) {
            transport.addInlineMailbox(mailbox, handler);
        } else {
            transport.addMailbox(mailbox, handler);
        }
    }

    void removeMailbox(String mailbox, MessageHandler handler) {
        transport.removeMailbox(mailbox, handler);
    }

    void close() {
        transport.close();
    }
}
