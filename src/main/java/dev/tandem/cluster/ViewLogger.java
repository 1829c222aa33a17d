package dev.tandem.cluster;

import java.util.ArrayList;
import java.util.List;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.remoting.transport.Address;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every cluster view change with who joined and who left, so operators can follow failovers. */
@Listener
public final class ViewLogger {
    private static final Logger LOG = LoggerFactory.getLogger(ViewLogger.class);

    @ViewChanged
    @Merged
    public void viewChanged(ViewChangedEvent event) {
        List<Address> joined = new ArrayList<>(event.getNewMembers());
        joined.removeAll(event.getOldMembers());
        List<Address> left = new ArrayList<>(event.getOldMembers());
        left.removeAll(event.getNewMembers());
        LOG.info("cluster view {}: {} members {} (joined {}, left {})",
                event.isMergeView() ? "merged" : "changed", event.getNewMembers().size(),
                event.getNewMembers(), joined, left);
    }
}
