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
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;

/**
 * A transport as its DS component registers it: its {@link Dist} and {@link Messenger} methods and
 * nothing else, so that no user of the service can stop or restart what the component runs. The
 * transport's lifecycle and mailboxes are reached by {@link TransportRunner} only. A transport
 * offering more services extends this class with their methods.
 */
public class TransportService implements Dist, Messenger {

    /** Binds a transport's socket and starts its threads. */
    @FunctionalInterface
    public interface Start {
        void start() throws IOException;
    }

    private final Dist dist;
    private final Messenger messenger;
    private final AutoCloseable transport;
    private final String address;
    private final Start start;
    private final IntSupplier port;
    private final BiConsumer<String, MessageHandler> addMailbox;
    private final BiConsumer<String, MessageHandler> removeMailbox;

    /**
     * @param transport a transport not started yet
     * @param address where it is configured to listen ({@code host:port}), for the log when it cannot
     * @param port the port it listens on once started
     */
    public <T extends Dist & Messenger & AutoCloseable> TransportService(T transport, String address, Start start,
            IntSupplier port, BiConsumer<String, MessageHandler> addMailbox, BiConsumer<String, MessageHandler> removeMailbox) {
        this.dist = transport;
        this.messenger = transport;
        this.transport = transport;
        this.address = address;
        this.start = start;
        this.port = port;
        this.addMailbox = addMailbox;
        this.removeMailbox = removeMailbox;
    }

    @Override
    public NodeName self() {
        return dist.self();
    }

    @Override
    public Set<NodeName> members() {
        return dist.members();
    }

    @Override
    public CompletionStage<Void> connect(Peer peer, Duration timeout) {
        return dist.connect(peer, timeout);
    }

    @Override
    public void disconnect(NodeName node) {
        dist.disconnect(node);
    }

    @Override
    public void addListener(ClusterListener listener) {
        dist.addListener(listener);
    }

    @Override
    public void removeListener(ClusterListener listener) {
        dist.removeListener(listener);
    }

    @Override
    public void send(NodeName node, String mailbox, byte[] payload, Duration maxWait) throws MessagingException {
        messenger.send(node, mailbox, payload, maxWait);
    }

    String address() {
        return address;
    }

    void start() throws IOException {
        start.start();
    }

    int port() {
        return port.getAsInt();
    }

    void addMailbox(String mailbox, MessageHandler handler) {
        addMailbox.accept(mailbox, handler);
    }

    void removeMailbox(String mailbox, MessageHandler handler) {
        removeMailbox.accept(mailbox, handler);
    }

    void close() throws Exception {
        transport.close();
    }
}
