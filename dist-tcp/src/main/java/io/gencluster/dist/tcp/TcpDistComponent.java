package io.gencluster.dist.tcp;

import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.api.Peer;
import io.gencluster.dist.kit.CookieFile;
import io.gencluster.dist.kit.SettingChecks;
import io.gencluster.dist.kit.TransportRunner;
import io.gencluster.dist.kit.TransportService;
import io.gencluster.dist.tcp.tls.PeerNames;
import io.gencluster.dist.tcp.tls.Tls;
import io.gencluster.spi.Dist;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Runs a {@link TcpDist} while configuration {@value TcpDistConfig#PID} exists, and registers it
 * as the {@link Dist} and {@link Messenger} service once it listens, with the bound port as a
 * service property. A configuration change restarts the transport (its connections drop and are
 * re-made by the runtime), because the node name, port and cookie cannot change under live
 * connections; a bad one is logged by key and value and ignored. MessageHandler services are its
 * mailboxes (whiteboard).
 */
@Component(configurationPid = TcpDistConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = TcpDistConfig.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"io.gencluster.spi.Dist,io.gencluster.api.Messenger\"", uses = Dist.class)
public final class TcpDistComponent {

    /** {@code ~/.gencluster.cookie}, in UTF-8, white space around the cookie dropped. */
    private static final System.Logger LOG = System.getLogger(TcpDistComponent.class.getName());
    private static final CookieFile COOKIE_FILE = new CookieFile(".gencluster.cookie", StandardCharsets.UTF_8, String::trim);

    private final TransportRunner runner;

    @Activate
    public TcpDistComponent(TcpDistConfig config, Map<String, Object> properties, BundleContext context) {
        runner = new TransportRunner(context, TcpDistConfig.PID, "tcp", Dist.class, Messenger.class);
        modified(config, properties);
    }

    @Modified
    void modified(TcpDistConfig config, Map<String, Object> properties) {
        runner.restart(() -> settings(config, properties),
                settings -> new TransportService(new TcpDist(settings), settings.bindAddress + ":" + settings.port));
    }

    @Deactivate
    void deactivate() {
        runner.close();
    }

    /** The settings {@code c} gives; {@code raw} holds the text of values that do not convert. */
    static TcpDistSettings settings(TcpDistConfig c, Map<String, Object> raw) {
        NodeName self;
        String name = c.node_name().trim();
        try {
            self = NodeName.parse(name.isEmpty() ? "gencluster@" + localHostName() : name);
        } catch (IllegalArgumentException e) {
            throw SettingChecks.invalid("node.name", name, e.getMessage());
        }
        return TcpDistSettings.builder(self, COOKIE_FILE.configured(c.cookie(), c.cookie_file()))
                .bindAddress(c.bind_address().trim())
                .port(SettingChecks.number("port", c::port, raw))
                .peerPort(SettingChecks.number("peer.port", c::peer_port, raw))
                .tick(Duration.ofMillis(SettingChecks.number("tick.ms", c::tick_ms, raw)))
                .tickTimeout(Duration.ofMillis(SettingChecks.number("tick.timeout.ms", c::tick_timeout_ms, raw)))
                .busyPollMicros(SettingChecks.number("busy.poll.us", c::busy_poll_us, raw))
                .handshakeTimeout(Duration.ofMillis(SettingChecks.number("handshake.timeout.ms", c::handshake_timeout_ms, raw)))
                .maxHandshakes(SettingChecks.number("max.handshakes", c::max_handshakes, raw))
                .maxOutgoingHandshakes(SettingChecks.number("max.handshakes.outgoing", c::max_handshakes_outgoing, raw))
                .maxHandshakesPerAddress(SettingChecks.number("max.handshakes.per.address", c::max_handshakes_per_address, raw))
                .maxFrameBytes(SettingChecks.number("max.frame.bytes", c::max_frame_bytes, raw))
                .sendQueueBytes(SettingChecks.number("send.queue.bytes", c::send_queue_bytes, raw))
                .mailboxQueue(SettingChecks.number("mailbox.queue", c::mailbox_queue, raw))
                .allowShortCookie(c.cookie_allow_short())
                .mailboxQueueBytes(SettingChecks.number("mailbox.queue.bytes", c::mailbox_queue_bytes, raw))
                .transitive(c.mesh_transitive())
                .epmd(c.epmd_register(), io.gencluster.epmd.EpmdClient.portOrDefault(SettingChecks.number("epmd.port", c::epmd_port, raw)), c.epmd_embedded())
                .tls(c.tls_enabled() ? tls(c) : null, verifyName(c, raw))
                .tlsAllow12(allowTls12(c.tls_min_version()))
                .build();
    }

    /**
     * {@code tls.verify.name}; where only the old boolean {@code tls.verify.hostname} is set, its
     * meaning (true = host, false = off), with a warning to rename it.
     */
    static PeerNames verifyName(TcpDistConfig c, Map<String, Object> raw) {
        Object old = raw.get("tls.verify.hostname");
        if (old == null || raw.containsKey("tls.verify.name")) {
            return PeerNames.parse(c.tls_verify_name());
        }
        PeerNames mapped = Boolean.parseBoolean(String.valueOf(old).trim()) ? PeerNames.HOST : PeerNames.OFF;
        LOG.log(System.Logger.Level.WARNING, "tls.verify.hostname = {0} is deprecated: use tls.verify.name = {1}"
                + " (host: the certificate must name the node''s host, the default; node: its whole name; off)", old, mapped.key());
        return mapped;
    }

    private static boolean allowTls12(String minVersion) {
        return switch (minVersion.trim()) {
            case "TLSv1.3", "1.3" -> false;
            case "TLSv1.2", "1.2" -> true;
            default -> throw SettingChecks.invalid("tls.min.version", minVersion, "must be TLSv1.3 or TLSv1.2");
        };
    }

    private static javax.net.ssl.SSLContext tls(TcpDistConfig c) {
        if (!c.tls_keystore().isBlank()) {
            if (c.tls_truststore().isBlank()) {
                throw SettingChecks.invalid("tls.truststore", "", "is required with tls.keystore");
            }
            return Tls.fromStores(Path.of(c.tls_keystore().trim()), c.tls_keystore_password().toCharArray(),
                    Path.of(c.tls_truststore().trim()), c.tls_truststore_password().toCharArray());
        }
        if (c.tls_certificate().isBlank() || c.tls_private_key().isBlank() || c.tls_ca().isBlank()) {
            throw SettingChecks.invalid("tls.enabled", true,
                    "needs tls.keystore + tls.truststore, or tls.certificate + tls.private.key + tls.ca");
        }
        return Tls.fromPem(Path.of(c.tls_certificate().trim()), Path.of(c.tls_private_key().trim()), Path.of(c.tls_ca().trim()));
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
