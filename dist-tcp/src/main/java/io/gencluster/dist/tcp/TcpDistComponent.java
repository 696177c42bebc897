package io.gencluster.dist.tcp;

import io.gencluster.api.ClusterListener;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.MessagingException;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.tcp.tls.Tls;
import io.gencluster.spi.Dist;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Runs a {@link TcpDist} while configuration {@value #PID} exists, and registers it as the
 * {@link Dist} service once it listens, with the bound port as a service property. A
 * configuration change restarts the transport (its connections drop and are re-made by the
 * runtime), because the node name, port and cookie cannot change under live connections.
 */
@Component(configurationPid = TcpDistComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = TcpDistComponent.Config.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"io.gencluster.spi.Dist,io.gencluster.api.Messenger\"", uses = Dist.class)
public final class TcpDistComponent {

    static final String PID = "io.gencluster.dist.tcp";
    static final String PORT_PROPERTY = "gencluster.dist.port";

    private static final System.Logger LOG = System.getLogger(TcpDistComponent.class.getName());

    @ObjectClassDefinition(id = PID, name = "gen-cluster TCP transport",
            description = "Connects this node to its peers over TCP, authenticated by a shared cookie.")
    public @interface Config {
        @AttributeDefinition(name = "Node name", description = "This node's name, name@host; host must be what"
                + " other nodes use to reach it. Empty: gencluster@<local host name>.")
        String node_name() default "";

        @AttributeDefinition(name = "Bind address", description = "Address to listen on.")
        String bind_address() default "0.0.0.0";

        @AttributeDefinition(name = "Port", description = "Port to listen on; 0 = any free port.")
        int port() default 4370;

        @AttributeDefinition(name = "Peer port", description = "Port for peers whose discovery gave none;"
                + " -1 = the same as 'port' (all nodes on one port, as in Kubernetes).")
        int peer_port() default -1;

        @AttributeDefinition(name = "Cookie", type = AttributeType.PASSWORD, description = "Shared secret;"
                + " nodes with different cookies refuse each other. Empty: read 'cookie.file'.")
        String cookie() default "";

        @AttributeDefinition(name = "Cookie file", description = "File holding the cookie when 'cookie' is empty;"
                + " created with a random cookie, owner-only, when missing. Empty: ~/.gencluster.cookie.")
        String cookie_file() default "";

        @AttributeDefinition(name = "Tick (ms)", description = "A heartbeat is sent on a connection idle this long.")
        long tick_ms() default 1000;

        @AttributeDefinition(name = "Tick timeout (ms)", description = "A connection on which nothing arrived"
                + " for this long is declared down. Must exceed twice the tick.")
        long tick_timeout_ms() default 10000;

        @AttributeDefinition(name = "Handshake timeout (ms)", description = "Upper bound on a connection handshake.")
        long handshake_timeout_ms() default 5000;

        @AttributeDefinition(name = "Handshakes in progress", description = "More incoming connections are closed at once.")
        int max_handshakes() default 64;

        @AttributeDefinition(name = "Maximum frame (bytes)", description = "A larger frame closes that connection.")
        int max_frame_bytes() default 1048576;

        @AttributeDefinition(name = "Send queue (bytes)", description = "Messages queued per connection before"
                + " senders wait (backpressure); at least max.frame.bytes.")
        int send_queue_bytes() default 8388608;

        @AttributeDefinition(name = "Mailbox queue", description = "Messages queued per mailbox before further"
                + " ones are dropped (and logged): a slow handler never stalls the connection.")
        int mailbox_queue() default 10000;

        @AttributeDefinition(name = "Transitive mesh", description = "When two nodes connect, each passes on its"
                + " other members and connects to those it lacks (Erlang's connect_all), so a cluster closes its"
                + " mesh without waiting for every node's next discovery refresh.")
        boolean mesh_transitive() default true;

        @AttributeDefinition(name = "TLS", description = "Run every connection over TLS with mutual authentication."
                + " Nodes with and without TLS refuse each other (logged on both sides).")
        boolean tls_enabled() default false;

        @AttributeDefinition(name = "TLS key store", description = "PKCS12 (or .jks) file with this node's key and"
                + " certificate chain. Alternatively tls.certificate + tls.private.key (PEM).", required = false)
        String tls_keystore() default "";

        @AttributeDefinition(name = "TLS key store password", type = AttributeType.PASSWORD,
                description = "Password of tls.keystore (and of the key in it).", required = false)
        String tls_keystore_password() default "";

        @AttributeDefinition(name = "TLS trust store", description = "PKCS12 (or .jks) file with the CA certificates"
                + " whose nodes this node accepts. Alternatively tls.ca (PEM).", required = false)
        String tls_truststore() default "";

        @AttributeDefinition(name = "TLS trust store password", type = AttributeType.PASSWORD,
                description = "Password of tls.truststore.", required = false)
        String tls_truststore_password() default "";

        @AttributeDefinition(name = "TLS certificate (PEM)", description = "This node's certificate chain.", required = false)
        String tls_certificate() default "";

        @AttributeDefinition(name = "TLS private key (PEM)", description = "This node's unencrypted PKCS#8 key.", required = false)
        String tls_private_key() default "";

        @AttributeDefinition(name = "TLS CA (PEM)", description = "The CA certificates this node trusts.", required = false)
        String tls_ca() default "";

        @AttributeDefinition(name = "TLS: verify host names", description = "A node's certificate must also"
                + " name the host part of its node name (subject alternative name), as HTTPS checks a server:"
                + " the dialled node's, and a dialling node's for the name it gives."
                + " Off: any certificate from a trusted CA is accepted; the cookie still proves membership.")
        boolean tls_verify_hostname() default false;

        @AttributeDefinition(name = "Register with EPMD", description = "Register this node's name and port with the"
                + " local EPMD (so epmd-all discovery and 'epmd -names' see it), and ask a peer's EPMD for its port"
                + " when discovery gave none.")
        boolean epmd_register() default true;

        @AttributeDefinition(name = "EPMD port", description = "-1: ERL_EPMD_PORT if set, else 4369.")
        int epmd_port() default -1;

        @AttributeDefinition(name = "Embedded port mapper", description = "When no EPMD answers, serve an"
                + " EPMD-compatible port mapper on loopback in this node (as erl starts epmd); false: never.")
        boolean epmd_embedded() default true;
    }

    private final BundleContext context;
    private TcpDist dist;
    private ServiceRegistration<?> registration;
    private final Map<Object, Mailbox> handlers = new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Mailbox {
        final String mailbox;
        final MessageHandler handler;

        Mailbox(String mailbox, MessageHandler handler) {
            this.mailbox = mailbox;
            this.handler = handler;
        }
    }

    /** Whiteboard: every MessageHandler service with a gencluster.mailbox property receives that mailbox's messages. */
    @Reference(service = MessageHandler.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindHandler(MessageHandler handler, Map<String, Object> properties) {
        Object name = properties.get(MessageHandler.MAILBOX_PROPERTY);
        if (name == null || name.toString().isEmpty()) {
            LOG.log(Level.WARNING, "MessageHandler {0} has no {1} property; it receives nothing", handler, MessageHandler.MAILBOX_PROPERTY);
            return;
        }
        Mailbox box = new Mailbox(name.toString(), handler);
        handlers.put(properties.get(org.osgi.framework.Constants.SERVICE_ID), box);
        if (dist != null) {
            dist.addMailbox(box.mailbox, handler);
        }
    }

    synchronized void unbindHandler(MessageHandler handler, Map<String, Object> properties) {
        Mailbox box = handlers.remove(properties.get(org.osgi.framework.Constants.SERVICE_ID));
        if (box != null && dist != null) {
            dist.removeMailbox(box.mailbox, handler);
        }
    }

    @Activate
    public TcpDistComponent(Config config, Map<String, Object> properties, BundleContext context) {
        this.context = context;
        apply(config, properties);
    }

    /**
     * A valid new configuration restarts the transport: node name, port and cookie cannot change
     * under live connections, so they drop and the runtime re-makes them. A bad one is logged and
     * ignored: a running transport keeps its connections, and one that never ran waits for a
     * valid configuration, no restart needed. That is why the {@link Dist} service is registered
     * here rather than by DS: it exists exactly while a transport listens.
     */
    @Modified
    void modified(Config config, Map<String, Object> properties) {
        apply(config, properties);
    }

    private synchronized void apply(Config config, Map<String, Object> properties) {
        TcpDistSettings settings;
        try {
            settings = settings(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "configuration {0} rejected: {1}; {2}", PID, e.getMessage(),
                    dist == null ? "the transport stays inactive until the configuration is fixed" : "keeping the running transport");
            return;
        }
        stop();
        TcpDist started = new TcpDist(settings);
        try {
            started.start();
        } catch (IOException e) {
            LOG.log(Level.ERROR, "{0}: cannot listen on {1}:{2,number,#}: {3}; the transport stays inactive until the configuration changes",
                    PID, settings.bindAddress, settings.port, e.getMessage());
            return;
        }
        dist = started;
        handlers.forEach((ref, h) -> dist.addMailbox(h.mailbox, h.handler));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Dist.TRANSPORT_PROPERTY, "tcp");
        props.put(Dist.NODE_PROPERTY, dist.self().toString());
        props.put(PORT_PROPERTY, dist.port());
        registration = context.registerService(new String[] {Dist.class.getName(), Messenger.class.getName()},
                new Delegate(dist), props);
    }

    @Deactivate
    synchronized void stop() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping and unregistered it already
            }
            registration = null;
        }
        if (dist != null) {
            dist.close();
            dist = null;
        }
    }

    static TcpDistSettings settings(Config c, Map<String, Object> raw) {
        NodeName self;
        String name = c.node_name().trim();
        try {
            self = NodeName.parse(name.isEmpty() ? "gencluster@" + localHostName() : name);
        } catch (IllegalArgumentException e) {
            throw TcpDistSettings.invalid("node.name", name, e.getMessage());
        }
        byte[] cookie;
        if (!c.cookie().isEmpty()) {
            cookie = c.cookie().getBytes(StandardCharsets.UTF_8);
        } else {
            String file = c.cookie_file().trim().isEmpty()
                    ? Path.of(System.getProperty("user.home"), ".gencluster.cookie").toString() : c.cookie_file().trim();
            try {
                cookie = CookieFile.readOrCreate(Path.of(file));
            } catch (IOException | RuntimeException e) {
                throw TcpDistSettings.invalid("cookie.file", file, "cannot read or create it: " + e.getMessage());
            }
        }
        return TcpDistSettings.builder(self, cookie)
                .bindAddress(c.bind_address().trim())
                .port(number("port", c::port, raw))
                .peerPort(number("peer.port", c::peer_port, raw))
                .tick(Duration.ofMillis(number("tick.ms", c::tick_ms, raw)))
                .tickTimeout(Duration.ofMillis(number("tick.timeout.ms", c::tick_timeout_ms, raw)))
                .handshakeTimeout(Duration.ofMillis(number("handshake.timeout.ms", c::handshake_timeout_ms, raw)))
                .maxHandshakes(number("max.handshakes", c::max_handshakes, raw))
                .maxFrameBytes(number("max.frame.bytes", c::max_frame_bytes, raw))
                .sendQueueBytes(number("send.queue.bytes", c::send_queue_bytes, raw))
                .mailboxQueue(number("mailbox.queue", c::mailbox_queue, raw))
                .transitive(c.mesh_transitive())
                .epmd(c.epmd_register(), epmdPort(number("epmd.port", c::epmd_port, raw)), c.epmd_embedded())
                .tls(c.tls_enabled() ? tls(c) : null, c.tls_verify_hostname())
                .build();
    }

    private static javax.net.ssl.SSLContext tls(Config c) {
        if (!c.tls_keystore().isBlank()) {
            if (c.tls_truststore().isBlank()) {
                throw TcpDistSettings.invalid("tls.truststore", "", "is required with tls.keystore");
            }
            return Tls.fromStores(Path.of(c.tls_keystore().trim()), c.tls_keystore_password().toCharArray(),
                    Path.of(c.tls_truststore().trim()), c.tls_truststore_password().toCharArray());
        }
        if (c.tls_certificate().isBlank() || c.tls_private_key().isBlank() || c.tls_ca().isBlank()) {
            throw TcpDistSettings.invalid("tls.enabled", true,
                    "needs tls.keystore + tls.truststore, or tls.certificate + tls.private.key + tls.ca");
        }
        return Tls.fromPem(Path.of(c.tls_certificate().trim()), Path.of(c.tls_private_key().trim()), Path.of(c.tls_ca().trim()));
    }

    private static int epmdPort(int configured) {
        return configured == -1 ? io.gencluster.epmd.EpmdClient.defaultPort() : configured;
    }

    /** Reads a typed value; one DS cannot convert is reported with its raw text. */
    private static <T> T number(String key, java.util.function.Supplier<T> value, Map<String, Object> raw) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw TcpDistSettings.invalid(key, raw.get(key), "expected a whole number");
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The registered service: the transport, without its lifecycle methods. */
    private static final class Delegate implements Dist, Messenger {
        private final TcpDist dist;

        Delegate(TcpDist dist) {
            this.dist = dist;
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
            dist.send(node, mailbox, payload, maxWait);
        }
    }
}
