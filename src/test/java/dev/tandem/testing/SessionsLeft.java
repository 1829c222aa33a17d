package dev.tandem.testing;

import java.time.Duration;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;

/**
 * Waits until a node holds no session; when some stay, fails with one line that says which, when each
 * was made and last used, and what it holds (so a failure says which request made a session nobody ended).
 */
public final class SessionsLeft {
    private SessionsLeft() {}

    /** @param what what made the sessions (the failure line names it), e.g. the warm-up pass's log line */
    public static void awaitNone(RunningNode node, Duration within, String what) {
        long since = System.currentTimeMillis();
        try {
            Awaitility.await("no session left").atMost(within).until(() -> node.node().cluster().localSessionCount() == 0);
        } catch (ConditionTimeoutException e) {
            String left = node.node().cluster().cache().values().stream().map(d -> describe(d, since))
                    .collect(Collectors.joining("; "));
            throw new AssertionError(node.node().cluster().localSessionCount() + " sessions left " + within.toSeconds()
                    + " s after the wait began: [" + left + "]; " + what, e);
        }
    }

    private static String describe(InfinispanSessionData d, long since) {
        return d.getId() + " made " + (d.getCreated() - since) + " ms, last used " + (d.getAccessed() - since)
                + " ms from the wait's start, attributes " + d.getKeys();
    }
}
