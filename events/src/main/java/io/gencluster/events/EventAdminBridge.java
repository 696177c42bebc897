package io.gencluster.events;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import java.time.Duration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * Hands every cluster event to EventAdmin, as {@link EventTopics} describes. A whiteboard
 * {@link ClusterListener} of every type, so the runtime knows nothing of EventAdmin; it exists only
 * while an EventAdmin service does (a static, mandatory reference), so without EventAdmin this
 * bundle just waits and the cluster runs as before.
 *
 * <p>Delivery is asynchronous for the runtime and in order for EventHandlers, as with
 * {@code postEvent}, but on a thread of this component ({@link EventDelivery}) calling
 * {@code sendEvent}: Felix EventAdmin delivers posted events on a pool of its own and, when it
 * stops, shuts that pool down by interrupting its threads, so an event posted just before (a node
 * down seen as the node itself stops) was cut short and EventAdmin printed "Event Task Processing
 * Interrupted". EventAdmin's stop unregisters its service before it stops its threads, which
 * deactivates this component first; deactivation waits, at most {@link #DRAIN_TIMEOUT}, until every
 * event already received is delivered.
 */
@Component(property = ClusterEvent.TYPES_PROPERTY + "=*")
public final class EventAdminBridge implements ClusterListener {

    /** EventAdmin's own default handler timeout: a handler slower than that it deny-lists anyway. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private final EventDelivery<Event> delivery;

    @Activate
    public EventAdminBridge(@Reference EventAdmin eventAdmin) {
        this.delivery = new EventDelivery<>(eventAdmin::sendEvent, "gencluster-eventadmin");
    }

    @Override
    public void clusterEvent(ClusterEvent event) {
        delivery.offer(new Event(EventTopics.topic(event), EventTopics.properties(event)));
    }

    @Deactivate
    void deactivate() {
        delivery.close(DRAIN_TIMEOUT);
    }
}
