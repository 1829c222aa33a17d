package dev.tandem.dashboard;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.remoting.transport.Address;

/**
 * Turns each cluster view change into who joined and who left, from the event's own old and new
 * member lists, and hands that on (on JGroups' thread: the consumer must not block).
 */
@Listener
final class ViewEvents {
    private final Consumer<BoardStore.ViewChange> consumer;

    ViewEvents(Consumer<BoardStore.ViewChange> consumer) {
        this.consumer = consumer;
    }

    @ViewChanged
    @Merged
    public void changed(ViewChangedEvent event) {
        List<String> joined = names(event.getNewMembers());
        joined.removeAll(names(event.getOldMembers()));
        List<String> left = names(event.getOldMembers());
        left.removeAll(names(event.getNewMembers()));
        consumer.accept(new BoardStore.ViewChange(event.getViewId(), joined, left, event.getNewMembers().size()));
    }

    private static List<String> names(List<Address> addresses) {
        List<String> out = new ArrayList<>();
        addresses.forEach(a -> out.add(a.toString()));
        return out;
    }
}
