package io.gencluster.events;

import io.gencluster.api.ClusterEvent;
import io.gencluster.api.ClusterListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

/**
 * Posts every cluster event to EventAdmin, as {@link EventTopics} describes. A whiteboard
 * {@link ClusterListener} of every type, so the runtime knows nothing of EventAdmin; it exists only
 * while an EventAdmin service does (a static, mandatory reference), so without EventAdmin this
 * bundle just waits and the cluster runs as before.
 *
 * <p>{@code postEvent}: asynchronous, so a slow EventHandler never holds up the runtime's event
 * thread; EventAdmin delivers posted events in order.
 */
@Component(property = ClusterEvent.TYPES_PROPERTY + "=*")
public final class EventAdminBridge implements ClusterListener {

    private final EventAdmin eventAdmin;

    @Activate
    public EventAdminBridge(@Reference EventAdmin eventAdmin) {
        this.eventAdmin = eventAdmin;
    }

    @Override
    public void clusterEvent(ClusterEvent event) {
        eventAdmin.postEvent(new Event(EventTopics.topic(event), EventTopics.properties(event)));
    }
}
