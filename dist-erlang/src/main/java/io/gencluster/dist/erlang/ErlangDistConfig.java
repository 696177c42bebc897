package io.gencluster.dist.erlang;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of the Erlang distribution, {@value #PID}, as DS hands it over: method
 * {@code net_ticktime_s()} reads key {@code net.ticktime.s}. {@link ErlangDistComponent#settings}
 * turns it into {@link ErlangDistSettings}, which check it.
 */
@ObjectClassDefinition(id = ErlangDistConfig.PID, name = "gen-cluster Erlang distribution",
        description = "Makes this node a member of an Erlang/OTP cluster, speaking Erlang's distribution protocol.")
public @interface ErlangDistConfig {

    /** The configuration's PID, which is also the Metatype id of this type. */
    String PID = "io.gencluster.dist.erlang";

    @AttributeDefinition(name = "Node name",
            description = "name@host, as Erlang nodes will address this node. A host without dots means short names (like"
                    + " erl -sname), with dots or an IP address long names (erl -name); it must match the cluster's."
                    + " Empty: gencluster@<short host name>.")
    String node_name() default "";

    @AttributeDefinition(name = "Cookie", type = AttributeType.PASSWORD,
            description = "The cluster's cookie (erl -setcookie). Empty: read 'cookie.file'.")
    String cookie() default "";

    @AttributeDefinition(name = "Cookie file",
            description = "File holding the cookie when 'cookie' is empty; created like erl creates it when missing. Empty:"
                    + " ~/.erlang.cookie.")
    String cookie_file() default "";

    @AttributeDefinition(name = "Allow a short cookie",
            description = "Accept a cookie of fewer than 16 bytes, as an existing Erlang cluster's may be. Unsafe: a short"
                    + " cookie can be guessed. For tests, labs and clusters whose cookie cannot change yet.")
    boolean cookie_allow_short() default false;

    @AttributeDefinition(name = "Bind address",
            description = "Address to listen on.")
    String bind_address() default "0.0.0.0";

    @AttributeDefinition(name = "Port",
            description = "Port to listen on; 0 = any free port (EPMD tells Erlang nodes which), as erl does without"
                    + " inet_dist_listen_min.")
    int port() default 0;

    @AttributeDefinition(name = "Hidden",
            description = "Connect as a hidden node (Erlang lists it in nodes(hidden), not nodes(), and sends it no global"
                    + " traffic). False: a visible node.")
    boolean hidden() default true;

    @AttributeDefinition(name = "Net tick time (s)",
            description = "Erlang's net_ticktime, which must match the cluster's: a tick every quarter of it, a peer silent"
                    + " this long is down.")
    int net_ticktime_s() default 60;

    @AttributeDefinition(name = "Handshake timeout (ms)",
            description = "Upper bound on a handshake (Erlang's net_setuptime).")
    long handshake_timeout_ms() default 7000;

    @AttributeDefinition(name = "Maximum frame (bytes)",
            description = "A larger frame closes that connection. 1024 to 1073741824 (1 GiB).")
    int max_frame_bytes() default 16777216;

    @AttributeDefinition(name = "Inbound handshakes at most",
            description = "Handshakes of nodes dialling this one in progress at once (1-1024); a connection past them"
                    + " is closed at once. Each holds a thread for at most the handshake timeout.")
    int handshakes_inbound_max() default 32;

    @AttributeDefinition(name = "Outbound handshakes at most",
            description = "Dials of this node in progress at once (1-1024), counted apart from inbound handshakes so that"
                    + " a flood of incoming connections never stops this node's own dials.")
    int handshakes_outbound_max() default 32;

    @AttributeDefinition(name = "Handshakes per address at most",
            description = "Inbound handshakes in progress at once from one remote address (1 to handshakes.inbound.max), so"
                    + " that one host holding connections open in the handshake leaves slots for every other.")
    int handshakes_per_address_max() default 8;

    @AttributeDefinition(name = "Send queue (bytes)",
            description = "Bytes queued per connection before senders wait.")
    int send_queue_bytes() default 67108864;

    @AttributeDefinition(name = "Mailbox queue",
            description = "Messages queued per mailbox before the connection's reader waits (200 ms at most), then"
                    + " drops the message (logged).")
    int mailbox_queue() default 10000;

    @AttributeDefinition(name = "Mailbox queue (bytes)",
            description = "Bytes a mailbox holds (queued or being delivered; each message counts its payload plus 32)"
                    + " before the reader waits, as for mailbox.queue. A single larger message is taken when the mailbox"
                    + " is empty. At least 65536.")
    int mailbox_queue_bytes() default 67108864;

    @AttributeDefinition(name = "Register with EPMD",
            description = "Register with the local EPMD, as erl does, so Erlang nodes can dial this one; peers without a"
                    + " known port are looked up in their host's EPMD.")
    boolean epmd_register() default true;

    @AttributeDefinition(name = "EPMD port",
            description = "-1: ERL_EPMD_PORT if set, else 4369.")
    int epmd_port() default -1;
}
