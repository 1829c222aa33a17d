package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.InvalidClassException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Session attributes read back through the class lookup cache: the same values, and the allow-list still decides. */
class SessionAttributeReaderTest {
    private final SessionAttributeReader reader = new SessionAttributeReader();

    @BeforeAll
    static void allowList() {
        // The JVM-wide filter nodes install (the same pattern as every node in this test JVM).
        SessionSerialFilter.install("");
    }

    private static byte[] stored(String name, Serializable value) throws Exception {
        InfinispanSessionData data = new InfinispanSessionData("id1", "/", "0.0.0.0", 1, 2, 3, 60_000);
        data.setAttribute("tandem.counter", 41L);
        data.setAttribute(name, value);
        data.serializeAttributes();
        return data.getSerializedAttributes();
    }

    private InfinispanSessionData read(byte[] bytes) throws Exception {
        InfinispanSessionData data = new InfinispanSessionData("id1", "/", "0.0.0.0", 1, 2, 3, 60_000);
        data.setSerializedAttributes(bytes);
        reader.read(data);
        return data;
    }

    @Test
    void allowedValuesReadBackTheSameOnEveryRead() throws Exception {
        Map<String, Long> cart = new LinkedHashMap<>();
        cart.put("apple", 2L);
        byte[] bytes = stored("tandem.cart", (Serializable) cart);
        for (int i = 0; i < 3; i++) {
            InfinispanSessionData data = read(bytes);
            assertThat(data.getSerializedAttributes()).as("the bytes are consumed").isNull();
            assertThat(data.getAllAttributes()).containsEntry("tandem.counter", 41L).containsEntry("tandem.cart", cart);
        }
    }

    @Test
    void aClassOffTheAllowListIsRefusedOnEveryReadEvenOnceItsNameWasLookedUp() throws Exception {
        byte[] forged = stored("x", new File("/etc/passwd"));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> read(forged)).as("read %d", i).isInstanceOf(InvalidClassException.class)
                    .hasMessageContaining("REJECTED");
        }
        assertThat(read(stored("ok", "fine")).getAttribute("ok")).as("allowed data still reads").isEqualTo("fine");
    }

    @Test
    void nothingStoredIsNothingToRead() throws Exception {
        InfinispanSessionData data = new InfinispanSessionData("id1", "/", "0.0.0.0", 1, 2, 3, 60_000);
        reader.read(data);
        assertThat(data.getAllAttributes()).isEmpty();
    }
}
