package io.gencluster.dist.tcp;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of the TCP transport, {@value #PID}, as DS and a plain-Java node hand it over:
 * method {@code tick_ms()} reads key {@code tick.ms}. {@link TcpDistComponent#settings} turns it
 * into {@link TcpDistSettings}, which check it.
 */
@ObjectClassDefinition(id = TcpDistConfig.PID, name = "gen-cluster TCP transport",
        description = "Connects this node to its peers over TCP, authenticated by a shared cookie.")
public @interface TcpDistConfig {

    /** The configuration's PID, which is also the Metatype id of this type. */
    String PID = "io.gencluster.dist.tcp";

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

    @AttributeDefinition(name = "Allow a short cookie", description = "Accept a cookie of fewer than 16 bytes."
            + " Unsafe: a short cookie can be guessed offline. For tests and labs only.")
    boolean cookie_allow_short() default false;

    @AttributeDefinition(name = "Tick (ms)", description = "A heartbeat is sent at every multiple of this"
            + " on each connection that sent nothing since the last one (all nodes keep the same grid)."
            + " A peer paused (GC, SIGSTOP) for up to tick.timeout.ms less about one tick is not declared down.")
    long tick_ms() default 500;

    @AttributeDefinition(name = "Tick timeout (ms)", description = "A connection on which nothing arrived"
            + " for this long is declared down: a frozen peer is reported within this window (at most 0.1 s more)."
            + " Must exceed twice the tick.")
    long tick_timeout_ms() default 2500;

    @AttributeDefinition(name = "Busy poll (µs)", description = "After messages moved, the transport's selector thread,"
            + " and a mailbox's thread that emptied its queue, poll this long without sleeping before they sleep, so that"
            + " a reply arriving meanwhile needs no wake-up (on a virtual machine most of a round trip's time); they yield"
            + " the core to any other thread that can run. A polling mailbox's thread reads its reply itself, while the"
            + " selector thread steps aside. 0: never. At most 1000.")
    long busy_poll_us() default 50;

    @AttributeDefinition(name = "Handshake timeout (ms)", description = "Upper bound on a connection handshake.")
    long handshake_timeout_ms() default 5000;

    @AttributeDefinition(name = "Incoming handshakes in progress", description = "Incoming connections still in"
            + " their handshake at once; more are closed at once (counted in the refusal log).")
    int max_handshakes() default 64;

    @AttributeDefinition(name = "Outgoing handshakes in progress", description = "This node's own connects in"
            + " their handshake at once, counted apart from incoming ones so that a flood of incoming connections"
            + " never stops this node's dials; more connects fail at once.")
    int max_handshakes_outgoing() default 64;

    @AttributeDefinition(name = "Incoming handshakes per address", description = "Incoming connections from one"
            + " remote address still in their handshake at once; more are closed at once, so that a flood from one"
            + " address leaves room for other nodes.")
    int max_handshakes_per_address() default 16;

    @AttributeDefinition(name = "Maximum frame (bytes)", description = "A larger frame closes that connection."
            + " At most 67108864 (64 MiB).")
    int max_frame_bytes() default 1048576;

    @AttributeDefinition(name = "Send queue (bytes)", description = "Messages queued per connection before"
            + " senders wait (backpressure); at least max.frame.bytes.")
    int send_queue_bytes() default 8388608;

    @AttributeDefinition(name = "Mailbox queue", description = "Messages queued per mailbox before the"
            + " connection stops reading (backpressure) for at most a quarter of tick.timeout.ms (1 s at most);"
            + " then the waiting messages are dropped (and logged): a slow handler never stalls the connection for long.")
    int mailbox_queue() default 10000;

    @AttributeDefinition(name = "Mailbox queue (bytes)", description = "Bytes a mailbox holds (queued or being"
            + " delivered; each message counts its payload plus 32) before the connection stops reading, as for"
            + " mailbox.queue. A single larger message is taken when the mailbox is empty. At least 65536.")
    int mailbox_queue_bytes() default 67108864;

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

    @AttributeDefinition(name = "TLS: verify node names", description = "How a node's certificate must name the"
            + " node it claims in the handshake, checked on both sides (the dialled node's, and a dialling node's for"
            + " the name it gives): host = a subject alternative name (DNS or IP) for the host part of the node name;"
            + " node = a URI subject alternative name gencluster:<name>@<host>; off = any certificate from a trusted"
            + " CA passes for any node. Replaces tls.verify.hostname (true = host, false = off).",
            options = {@Option(value = "host"), @Option(value = "node"), @Option(value = "off")})
    String tls_verify_name() default "host";

    @AttributeDefinition(name = "TLS: lowest version", description = "TLSv1.3 (only TLS 1.3) or TLSv1.2"
            + " (TLS 1.3 and 1.2, for peers or providers without 1.3).",
            options = {@Option(value = "TLSv1.3"), @Option(value = "TLSv1.2")})
    String tls_min_version() default "TLSv1.3";

    @AttributeDefinition(name = "Register with EPMD", description = "Register this node's name and port with the"
            + " local EPMD (so epmd-all discovery and 'epmd -names' see it), and ask a peer's EPMD for its port"
            + " when discovery gave none.")
    boolean epmd_register() default true;

    @AttributeDefinition(name = "EPMD port", description = "-1: ERL_EPMD_PORT if set, else 4369.")
    int epmd_port() default -1;

    @AttributeDefinition(name = "Embedded port mapper", description = "When no EPMD answers and none ever"
            + " answered this node on that port, serve an EPMD-compatible port mapper in this node (as erl starts"
            + " epmd), on every address (loopback only when bind.address is loopback); when its node dies another"
            + " takes it over. A node that registered with a real epmd never takes its port when it stops, so that"
            + " it can restart; it retries instead. false: never serve one.")
    boolean epmd_embedded() default true;
}
