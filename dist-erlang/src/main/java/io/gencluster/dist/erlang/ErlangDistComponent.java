package io.gencluster.dist.erlang;

import io.gencluster.api.ClusterListener;
import io.gencluster.api.MessageHandler;
import io.gencluster.api.MessagingException;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlPid;
import io.gencluster.erlang.ErlangMessenger;
import io.gencluster.erlang.Term;
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
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
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
 * Runs an {@link ErlangDist} while configuration {@value #PID} exists, registered as the
 * {@link Dist}, {@link Messenger} and {@link ErlangMessenger} service once it listens. As in
 * dist-tcp, a valid new configuration restarts the transport and an invalid one is logged by key
 * and value and ignored; MessageHandler services are its mailboxes (whiteboard).
 */
@Component(configurationPid = ErlangDistComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = ErlangDistComponent.Config.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"io.gencluster.spi.Dist,io.gencluster.api.Messenger,"
        + "io.gencluster.erlang.ErlangMessenger\"", uses = Dist.class)
public final class ErlangDistComponent {

    static final String PID = "io.gencluster.dist.erlang";
    static final String PORT_PROPERTY = "gencluster.dist.port";

    private static final System.Logger LOG = System.getLogger(ErlangDistComponent.class.getName());

    @ObjectClassDefinition(id = PID, name = "gen-cluster Erlang distribution",
            description = "Makes this node a member of an Erlang/OTP cluster, speaking Erlang's distribution protocol.")
    public @interface Config {
        @AttributeDefinition(name = "Node name", description = "name@host, as Erlang nodes will address this node. A host"
                + " without dots means short names (like erl -sname), with dots or an IP address long names (erl -name);"
                + " it must match the cluster's. Empty: gencluster@<short host name>.")
        String node_name() default "";

        @AttributeDefinition(name = "Cookie", type = AttributeType.PASSWORD, description = "The cluster's cookie"
                + " (erl -setcookie). Empty: read 'cookie.file'.")
        String cookie() default "";

        @AttributeDefinition(name = "Cookie file", description = "File holding the cookie when 'cookie' is empty;"
                + " created like erl creates it when missing. Empty: ~/.erlang.cookie.")
        String cookie_file() default "";

        @AttributeDefinition(name = "Bind address", description = "Address to listen on.")
        String bind_address() default "0.0.0.0";

        @AttributeDefinition(name = "Port", description = "Port to listen on; 0 = any free port (EPMD tells Erlang nodes"
                + " which), as erl does without inet_dist_listen_min.")
        int port() default 0;

        @AttributeDefinition(name = "Hidden", description = "Connect as a hidden node (Erlang lists it in nodes(hidden),"
                + " not nodes(), and sends it no global traffic). False: a visible node.")
        boolean hidden() default true;

        @AttributeDefinition(name = "Net tick time (s)", description = "Erlang's net_ticktime, which must match the"
                + " cluster's: a tick every quarter of it, a peer silent this long is down.")
        int net_ticktime_s() default 60;

        @AttributeDefinition(name = "Handshake timeout (ms)", description = "Upper bound on a handshake (Erlang's net_setuptime).")
        long handshake_timeout_ms() default 7000;

        @AttributeDefinition(name = "Maximum frame (bytes)", description = "A larger frame closes that connection.")
        int max_frame_bytes() default 16777216;

        @AttributeDefinition(name = "Send queue (bytes)", description = "Bytes queued per connection before senders wait.")
        int send_queue_bytes() default 67108864;

        @AttributeDefinition(name = "Mailbox queue", description = "Messages queued per mailbox before further ones are dropped (logged).")
        int mailbox_queue() default 10000;

        @AttributeDefinition(name = "Register with EPMD", description = "Register with the local EPMD, as erl does, so"
                + " Erlang nodes can dial this one; peers without a known port are looked up in their host's EPMD.")
        boolean epmd_register() default true;

        @AttributeDefinition(name = "EPMD port", description = "-1: ERL_EPMD_PORT if set, else 4369.")
        int epmd_port() default -1;
    }

    private final BundleContext context;
    private ErlangDist dist;
    private ServiceRegistration<?> registration;
    private final Map<Object, Map.Entry<String, MessageHandler>> handlers = new ConcurrentHashMap<>();

    @Reference(service = MessageHandler.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void bindHandler(MessageHandler handler, Map<String, Object> properties) {
        Object name = properties.get(MessageHandler.MAILBOX_PROPERTY);
        if (name == null || name.toString().isEmpty()) {
            LOG.log(Level.WARNING, "MessageHandler {0} has no {1} property; it receives nothing", handler, MessageHandler.MAILBOX_PROPERTY);
            return;
        }
        handlers.put(properties.get(Constants.SERVICE_ID), Map.entry(name.toString(), handler));
        if (dist != null) {
            dist.addMailbox(name.toString(), handler);
        }
    }

    synchronized void unbindHandler(MessageHandler handler, Map<String, Object> properties) {
        Map.Entry<String, MessageHandler> box = handlers.remove(properties.get(Constants.SERVICE_ID));
        if (box != null && dist != null) {
            dist.removeMailbox(box.getKey(), handler);
        }
    }

    @Activate
    public ErlangDistComponent(Config config, Map<String, Object> properties, BundleContext context) {
        this.context = context;
        apply(config, properties);
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        apply(config, properties);
    }

    private synchronized void apply(Config config, Map<String, Object> properties) {
        ErlangDistSettings settings;
        try {
            settings = settings(config, properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "configuration {0} rejected: {1}; {2}", PID, e.getMessage(),
                    dist == null ? "the transport stays inactive until the configuration is fixed" : "keeping the running transport");
            return;
        }
        stop();
        ErlangDist started = new ErlangDist(settings);
        try {
            started.start();
        } catch (IOException e) {
            started.close();
            LOG.log(Level.ERROR, "{0}: cannot listen on {1}:{2}: {3}; the transport stays inactive until the configuration changes",
                    PID, settings.bindAddress, String.valueOf(settings.port), e.getMessage());
            return;
        }
        dist = started;
        handlers.values().forEach(h -> dist.addMailbox(h.getKey(), h.getValue()));
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Dist.TRANSPORT_PROPERTY, "erlang");
        props.put(Dist.NODE_PROPERTY, dist.self().toString());
        props.put(PORT_PROPERTY, dist.port());
        registration = context.registerService(new String[] {Dist.class.getName(), Messenger.class.getName(),
            ErlangMessenger.class.getName()}, new Delegate(dist), props);
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

    static ErlangDistSettings settings(Config c, Map<String, Object> raw) {
        String name = c.node_name().trim();
        NodeName self;
        try {
            self = NodeName.parse(name.isEmpty() ? "gencluster@" + shortHostName() : name);
        } catch (IllegalArgumentException e) {
            throw ErlangDistSettings.invalid("node.name", name, e.getMessage());
        }
        byte[] cookie;
        if (!c.cookie().isEmpty()) {
            cookie = c.cookie().getBytes(StandardCharsets.UTF_8);
        } else {
            Path file = c.cookie_file().isBlank() ? CookieFile.defaultFile() : Path.of(c.cookie_file().trim());
            try {
                cookie = CookieFile.readOrCreate(file);
            } catch (IOException | RuntimeException e) {
                throw ErlangDistSettings.invalid("cookie.file", file, "cannot read or create it: " + e.getMessage());
            }
        }
        int epmdPort = number("epmd.port", c::epmd_port, raw);
        return ErlangDistSettings.builder(self, cookie)
                .bindAddress(c.bind_address().trim())
                .port(number("port", c::port, raw))
                .hidden(c.hidden())
                .netTickTime(Duration.ofSeconds(number("net.ticktime.s", c::net_ticktime_s, raw)))
                .handshakeTimeout(Duration.ofMillis(number("handshake.timeout.ms", c::handshake_timeout_ms, raw)))
                .maxFrameBytes(number("max.frame.bytes", c::max_frame_bytes, raw))
                .sendQueueBytes(number("send.queue.bytes", c::send_queue_bytes, raw))
                .mailboxQueue(number("mailbox.queue", c::mailbox_queue, raw))
                .epmd(c.epmd_register(), epmdPort == -1 ? io.gencluster.epmd.EpmdClient.defaultPort() : epmdPort)
                .build();
    }

    private static <T> T number(String key, java.util.function.Supplier<T> value, Map<String, Object> raw) {
        try {
            return value.get();
        } catch (RuntimeException e) {
            throw ErlangDistSettings.invalid(key, raw.get(key), "expected a whole number");
        }
    }

    /** What erl -sname uses: the host name up to its first dot. */
    private static String shortHostName() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            int dot = h.indexOf('.');
            return dot > 0 ? h.substring(0, dot) : h;
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The registered service: the transport, without its lifecycle methods. */
    private static final class Delegate implements Dist, Messenger, ErlangMessenger {
        private final ErlangDist dist;

        Delegate(ErlangDist dist) {
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

        @Override
        public void send(NodeName node, String registeredName, Term message, String fromMailbox, Duration maxWait)
                throws MessagingException {
            dist.send(node, registeredName, message, fromMailbox, maxWait);
        }

        @Override
        public void send(ErlPid to, Term message, Duration maxWait) throws MessagingException {
            dist.send(to, message, maxWait);
        }

        @Override
        public ErlPid pid(String mailbox) {
            return dist.pid(mailbox);
        }

        @Override
        public ErlAtom node() {
            return dist.node();
        }
    }
}
