package io.gencluster.dist.tcp;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

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

    @AttributeDefinition(name = "Tick (ms)", description = "A heartbeat is sent on a connection idle this long."
            + " A peer paused (GC, SIGSTOP) for up to tick.timeout.ms less about one tick is not declared down.")
    long tick_ms() default 500;

    @AttributeDefinition(name = "Tick timeout (ms)", description = "A connection on which nothing arrived"
            + " for this long is declared down: a frozen peer is reported within this window (at most 0.1 s more)."
            + " Must exceed twice the tick.")
    long tick_timeout_ms() default 2500;

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
