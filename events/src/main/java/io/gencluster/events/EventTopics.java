package io.gencluster.events;

import io.gencluster.api.ClusterEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a {@link ClusterEvent} reads as an OSGi event: topic {@code io/gencluster/<TYPE>} and plain
 * properties (strings and a long) that any EventHandler can read without the api. Plain Java.
 */
final class EventTopics {

    /** Every topic starts with this; subscribe to {@code io/gencluster/*} for all of them. */
    static final String PREFIX = "io/gencluster/";
    static final String NODE = "node";
    static final String NODE_NAME = "node.name";
    static final String NODE_HOST = "node.host";
    static final String REASON = "reason";
    static final String DETAIL = "detail";
    /** The name EventAdmin's own EventConstants.TIMESTAMP gives the time of an event, in epoch milliseconds. */
    static final String TIMESTAMP = "timestamp";

    private EventTopics() {
    }

    static String topic(ClusterEvent event) {
        return PREFIX + event.type().name();
    }

    static Map<String, Object> properties(ClusterEvent event) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(NODE, event.node().toString());
        p.put(NODE_NAME, event.node().name());
        p.put(NODE_HOST, event.node().host());
        event.reason().ifPresent(r -> p.put(REASON, r.name()));
        p.put(DETAIL, event.detail());
        p.put(TIMESTAMP, event.time().toEpochMilli());
        return p;
    }
}
