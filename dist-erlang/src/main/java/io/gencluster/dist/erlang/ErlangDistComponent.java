package io.gencluster.dist.erlang;

import io.gencluster.api.MessagingException;
import io.gencluster.api.Messenger;
import io.gencluster.api.NodeName;
import io.gencluster.dist.kit.CookieFile;
import io.gencluster.dist.kit.SettingChecks;
import io.gencluster.dist.kit.TransportRunner;
import io.gencluster.dist.kit.TransportService;
import io.gencluster.erlang.ErlAtom;
import io.gencluster.erlang.ErlPid;
import io.gencluster.erlang.ErlangMessenger;
import io.gencluster.erlang.Term;
import io.gencluster.spi.Dist;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
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
 * Runs an {@link ErlangDist} while configuration {@value ErlangDistConfig#PID} exists, registered
 * as the {@link Dist}, {@link Messenger} and {@link ErlangMessenger} service once it listens. A
 * valid new configuration restarts the transport and an invalid one is logged by key and value
 * and ignored; MessageHandler services are its mailboxes (whiteboard).
 */
@Component(configurationPid = ErlangDistConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = ErlangDistConfig.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"io.gencluster.spi.Dist,io.gencluster.api.Messenger,"
        + "io.gencluster.erlang.ErlangMessenger\"", uses = Dist.class)
public final class ErlangDistComponent {

    /** {@code ~/.erlang.cookie}, read as {@code erl} reads it: Latin-1, white space around the cookie dropped. */
    private static final CookieFile COOKIE_FILE = new CookieFile(".erlang.cookie", StandardCharsets.ISO_8859_1, String::strip);

    private final TransportRunner runner;

    @Activate
    public ErlangDistComponent(ErlangDistConfig config, Map<String, Object> properties, BundleContext context) {
        runner = new TransportRunner(context, ErlangDistConfig.PID, "erlang", Dist.class, Messenger.class, ErlangMessenger.class);
        modified(config, properties);
    }

    @Modified
    void modified(ErlangDistConfig config, Map<String, Object> properties) {
        runner.restart(() -> settings(config, properties), settings -> new ErlangService(new ErlangDist(settings),
                settings.bindAddress + ":" + settings.port));
    }

    @Deactivate
    void deactivate() {
        runner.close();
    }

    /** The settings {@code c} gives; {@code raw} holds the text of values that do not convert. */
    static ErlangDistSettings settings(ErlangDistConfig c, Map<String, Object> raw) {
        String name = c.node_name().trim();
        NodeName self;
        try {
            self = NodeName.parse(name.isEmpty() ? "gencluster@" + shortHostName() : name);
        } catch (IllegalArgumentException e) {
            throw SettingChecks.invalid("node.name", name, e.getMessage());
        }
        byte[] cookie = COOKIE_FILE.configured(c.cookie(), c.cookie_file());
        return ErlangDistSettings.builder(self, cookie)
                .bindAddress(c.bind_address().trim())
                .port(SettingChecks.number("port", c::port, raw))
                .hidden(c.hidden())
                .netTickTime(Duration.ofSeconds(SettingChecks.number("net.ticktime.s", c::net_ticktime_s, raw)))
                .handshakeTimeout(Duration.ofMillis(SettingChecks.number("handshake.timeout.ms", c::handshake_timeout_ms, raw)))
                .maxFrameBytes(SettingChecks.number("max.frame.bytes", c::max_frame_bytes, raw))
                .handshakes(SettingChecks.number("handshakes.inbound.max", c::handshakes_inbound_max, raw),
                        SettingChecks.number("handshakes.outbound.max", c::handshakes_outbound_max, raw),
                        SettingChecks.number("handshakes.per.address.max", c::handshakes_per_address_max, raw))
                .sendQueueBytes(SettingChecks.number("send.queue.bytes", c::send_queue_bytes, raw))
                .mailboxQueue(SettingChecks.number("mailbox.queue", c::mailbox_queue, raw))
                .allowShortCookie(c.cookie_allow_short())
                .mailboxQueueBytes(SettingChecks.number("mailbox.queue.bytes", c::mailbox_queue_bytes, raw))
                .epmd(c.epmd_register(), io.gencluster.epmd.EpmdClient.portOrDefault(SettingChecks.number("epmd.port", c::epmd_port, raw)))
                .build();
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

    /** The registered service: the transport's Dist, Messenger and ErlangMessenger methods, without its lifecycle. */
    private static final class ErlangService extends TransportService implements ErlangMessenger {
        private final ErlangDist dist;

        ErlangService(ErlangDist dist, String address) {
            super(dist, address);
            this.dist = dist;
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
