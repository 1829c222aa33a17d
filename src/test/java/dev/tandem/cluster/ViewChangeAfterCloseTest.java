package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tandem.config.NodeConfig;
import dev.tandem.session.SessionLayer;
import org.junit.jupiter.api.Test;

/**
 * A leaving node shuts its view work just before it stops its cache manager; a view change
 * delivered in between (a peer leaving at the same moment) finds nothing to do.
 */
class ViewChangeAfterCloseTest {

    @Test
    void aViewChangeAfterCloseIsDroppedInsteadOfThrownIntoTheCacheManagersListener() throws Exception {
        SessionLayer layer = new SessionLayer(CacheManagers.create(NodeConfig.standalone("vc1")), "vc1", 0);
        layer.start();
        SessionLayer.Views listener = layer.new Views();

        layer.close();

        assertThatCode(() -> listener.changed(null)).doesNotThrowAnyException();
    }
}
