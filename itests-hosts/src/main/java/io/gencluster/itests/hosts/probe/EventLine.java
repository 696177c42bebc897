package io.gencluster.itests.hosts.probe;

import io.gencluster.api.ClusterEvent;
import java.util.Locale;

/**
 * The line of one cluster event, {@code EVENT <t> <kind> <node> [detail]}:
 *
 * <pre>
 * EVENT 1764625600000 up b@h
 * EVENT 1764625600000 down b@h CONNECTION_CLOSED connection reset
 * EVENT 1764625600000 discovered b@h b@h:4370
 * EVENT 1764625600000 lost b@h
 * </pre>
 *
 * {@code t} is the event's own time (when the transport or the runtime noticed it), in epoch
 * milliseconds: the system clock, the same one the stream records use.
 */
final class EventLine {

    private EventLine() {
    }

    static String of(ClusterEvent e) {
        String head = "EVENT " + e.time().toEpochMilli() + " ";
        switch (e.type()) {
            case NODE_UP:
                return head + "up " + e.node();
            case NODE_DOWN:
                return head + "down " + e.node() + " " + e.reason().map(Enum::name).orElse("UNKNOWN") + tail(e.detail());
            case NODE_DISCOVERED:
                return head + "discovered " + e.node() + tail(e.detail());
            case NODE_LOST:
                return head + "lost " + e.node();
            default: // a type added after this probe was written
                return head + e.type().name().toLowerCase(Locale.ROOT) + " " + e.node() + tail(e.detail());
        }
    }

    private static String tail(String detail) {
        return detail.isEmpty() ? "" : " " + detail;
    }
}
