package dev.tandem.cluster;

import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;

/** Runs a callback on every view change and merge (on JGroups' thread: the callback must not block). */
@Listener
final class ViewChanges {
    private final Runnable callback;

    ViewChanges(Runnable callback) {
        this.callback = callback;
    }

    @ViewChanged
    @Merged
    public void changed(ViewChangedEvent event) {
        callback.run();
    }
}
