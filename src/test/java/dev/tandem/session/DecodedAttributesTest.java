package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.session.infinispan.InfinispanSessionData;
import org.junit.jupiter.api.Test;

/** A session's attributes decoded once per form: the same bytes give the same values, anything else is decoded. */
class DecodedAttributesTest {
    private final DecodedAttributes decoded = new DecodedAttributes();

    /** The bytes Jetty stores for these attributes. */
    private static byte[] bytesOf(Map<String, Object> attributes) throws Exception {
        InfinispanSessionData written = entry("any");
        attributes.forEach(written::setAttribute);
        written.serializeAttributes();
        return written.getSerializedAttributes();
    }

    /** A session's entry as a load reads it from the cache: the attributes still serialized. */
    private static InfinispanSessionData read(String id, byte[] bytes) {
        InfinispanSessionData data = entry(id);
        data.setSerializedAttributes(bytes);
        return data;
    }

    private static InfinispanSessionData entry(String id) {
        return new InfinispanSessionData(id, "", "0.0.0.0", 1L, 1L, 1L, 60_000L);
    }

    private InfinispanSessionData load(String id, byte[] bytes) throws Exception {
        InfinispanSessionData data = read(id, bytes);
        decoded.decode(data);
        return data;
    }

    @Test
    void theSameBytesReadAgainGiveTheValuesTheyDecodedToWithoutDecodingThemAgain() throws Exception {
        byte[] bytes = bytesOf(Map.of("tandem.counter", 41L, "tandem.user", "ada"));

        InfinispanSessionData first = load("s1", bytes);
        InfinispanSessionData second = load("s1", bytes.clone());

        assertThat(first.getAllAttributes()).isEqualTo(Map.of("tandem.counter", 41L, "tandem.user", "ada"));
        assertThat(second.getAllAttributes()).isEqualTo(first.getAllAttributes());
        assertThat(second.getAttribute("tandem.user")).as("the very instance, not a decoded copy")
                .isSameAs(first.getAttribute("tandem.user"));
        assertThat(second.getSerializedAttributes()).as("decoded, as Jetty leaves it").isNull();
    }

    @Test
    void aSessionWrittenSinceIsDecodedAgainAndGivesTheNewValue() throws Exception {
        load("s1", bytesOf(Map.of("tandem.counter", 41L)));

        InfinispanSessionData after = load("s1", bytesOf(Map.of("tandem.counter", 42L)));

        assertThat(after.getAttribute("tandem.counter")).isEqualTo(42L);
    }

    @Test
    void eachReadGetsAMapOfItsOwnSoOneRequestsChangeIsNotSeenByAnother() throws Exception {
        byte[] bytes = bytesOf(Map.of("tandem.counter", 41L));
        InfinispanSessionData one = load("s1", bytes);
        InfinispanSessionData other = load("s1", bytes);

        one.setAttribute("tandem.counter", 99L);
        one.setAttribute("tandem.user", "eve");

        assertThat(other.getAllAttributes()).isEqualTo(Map.of("tandem.counter", 41L));
        assertThat(load("s1", bytes).getAllAttributes()).isEqualTo(Map.of("tandem.counter", 41L));
    }

    @Test
    void aSessionHoldingAMutableValueIsDecodedOnEveryRead() throws Exception {
        Map<String, Integer> cart = new LinkedHashMap<>(Map.of("apple", 2));
        byte[] bytes = bytesOf(Map.of("tandem.cart", cart));
        InfinispanSessionData one = load("s1", bytes);
        InfinispanSessionData other = load("s1", bytes);

        @SuppressWarnings("unchecked")
        Map<String, Integer> itsCart = (Map<String, Integer>) one.getAttribute("tandem.cart");
        itsCart.put("pear", 1);

        assertThat(other.getAttribute("tandem.cart")).isNotSameAs(itsCart).isEqualTo(Map.of("apple", 2));
    }

    @Test
    void aSessionLargerThanTheLimitIsDecodedOnEveryRead() throws Exception {
        byte[] bytes = bytesOf(Map.of("tandem.note", "x".repeat(DecodedAttributes.MAX_BYTES)));
        assertThat(bytes.length).isGreaterThan(DecodedAttributes.MAX_BYTES);

        InfinispanSessionData one = load("s1", bytes);
        InfinispanSessionData other = load("s1", bytes);

        assertThat(other.getAttribute("tandem.note")).isEqualTo(one.getAttribute("tandem.note"))
                .isNotSameAs(one.getAttribute("tandem.note"));
    }

    /** Session ids after {@code first} whose pair of slots is {@code first}'s, as many as asked. */
    private static List<String> samePairAs(String first, int count) {
        List<String> ids = new ArrayList<>(List.of(first));
        for (int i = 2; ids.size() <= count; i++) {
            if (DecodedAttributes.index("s" + i) == DecodedAttributes.index(first)) {
                ids.add("s" + i);
            }
        }
        return ids.subList(1, ids.size());
    }

    @Test
    void twoSessionsWhoseIdsPickTheSamePairAreBothKeptAndNeitherIsDecodedAgain() throws Exception {
        String a = "s1";
        String b = samePairAs(a, 1).get(0);
        byte[] bytesA = bytesOf(Map.of("tandem.user", "ada"));
        byte[] bytesB = bytesOf(Map.of("tandem.user", "bob"));
        Object adaFirst = load(a, bytesA).getAttribute("tandem.user");
        Object bobFirst = load(b, bytesB).getAttribute("tandem.user");

        for (int round = 0; round < 3; round++) {
            assertThat(load(a, bytesA.clone()).getAttribute("tandem.user")).as("ada's, not decoded again").isSameAs(adaFirst);
            assertThat(load(b, bytesB.clone()).getAttribute("tandem.user")).as("bob's, not decoded again").isSameAs(bobFirst);
        }
    }

    @Test
    void aThirdSessionInAPairTakesThePlaceOfTheOneKeptLongestAgoAndEachKeepsItsOwnValues() throws Exception {
        String a = "s1";
        List<String> others = samePairAs(a, 2);
        String b = others.get(0);
        String c = others.get(1);
        byte[] bytesA = bytesOf(Map.of("tandem.user", "ada"));
        byte[] bytesB = bytesOf(Map.of("tandem.user", "bob"));
        byte[] bytesC = bytesOf(Map.of("tandem.user", "cyd"));
        Object adaFirst = load(a, bytesA).getAttribute("tandem.user");
        Object bobFirst = load(b, bytesB).getAttribute("tandem.user");
        Object cydFirst = load(c, bytesC).getAttribute("tandem.user");

        assertThat(load(c, bytesC.clone()).getAttribute("tandem.user")).as("cyd's, kept").isSameAs(cydFirst);
        assertThat(load(b, bytesB.clone()).getAttribute("tandem.user")).as("bob's, kept").isSameAs(bobFirst);
        Object adaAgain = load(a, bytesA.clone()).getAttribute("tandem.user");
        assertThat(adaAgain).as("ada's, decoded again to the same value").isEqualTo("ada").isNotSameAs(adaFirst);
        for (int round = 0; round < 3; round++) {
            assertThat(load(a, bytesA).getAttribute("tandem.user")).isEqualTo("ada");
            assertThat(load(b, bytesB).getAttribute("tandem.user")).isEqualTo("bob");
            assertThat(load(c, bytesC).getAttribute("tandem.user")).isEqualTo("cyd");
        }
    }

    /** A request's session as a write stores it: these attributes, encoded by {@link DecodedAttributes#encode}. */
    private InfinispanSessionData written(String id, Map<String, Object> attributes) throws Exception {
        InfinispanSessionData data = entry(id);
        attributes.forEach(data::setAttribute);
        decoded.encode(data);
        return data;
    }

    @Test
    void aWritesOwnBytesReadBackGiveTheValuesItWroteWithoutDecodingThem() throws Exception {
        String user = new String("ada");
        InfinispanSessionData write = written("s1", Map.of("tandem.counter", 42L, "tandem.user", user));

        InfinispanSessionData next = load("s1", write.getSerializedAttributes().clone());

        assertThat(next.getAllAttributes()).isEqualTo(Map.of("tandem.counter", 42L, "tandem.user", "ada"));
        assertThat(next.getAttribute("tandem.user")).as("the written instance, not a decoded copy").isSameAs(user);
    }

    @Test
    void aWriteStoresTheBytesJettyWouldAndAnotherNodeDecodesThemToTheSameValues() throws Exception {
        Map<String, Object> attributes = Map.of("tandem.counter", 42L, "tandem.user", "ada");
        InfinispanSessionData write = written("s1", attributes);

        InfinispanSessionData elsewhere = read("s1", write.getSerializedAttributes());
        elsewhere.deserializeAttributes();

        assertThat(elsewhere.getAllAttributes()).isEqualTo(attributes);
        assertThat(write.getAllAttributes()).as("the request's own attributes stay").isEqualTo(attributes);
    }

    @Test
    void aWritesBytesAreJettysOwnByteForByteForEveryImmutableKindOfValue() throws Exception {
        List<Object> values = List.of("ada", 42L, 7, (short) 3, (byte) 1, true, 'x', 2.5d, 1.5f, "");
        for (Object value : values) {
            Map<String, Object> attribute = Map.of("tandem.value", value);
            assertThat(written("s1", attribute).getSerializedAttributes()).as("%s", value.getClass())
                    .isEqualTo(bytesOf(attribute));
        }
        assertThat(written("s1", Map.of()).getSerializedAttributes()).as("no attributes").isEqualTo(bytesOf(Map.of()));
    }

    @Test
    void aWriteOfManyAttributesIsDecodedByJettyToTheSameValues() throws Exception {
        Map<String, Object> attributes = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            attributes.put("tandem.a" + i, i % 2 == 0 ? (Object) ("v" + i) : (Object) (long) i);
        }
        InfinispanSessionData elsewhere = read("s1", written("s1", attributes).getSerializedAttributes());
        elsewhere.deserializeAttributes();

        assertThat(elsewhere.getAllAttributes()).isEqualTo(attributes);
    }

    @Test
    void aChangeMadeAfterTheWriteIsNotInWhatItsBytesReadBackAs() throws Exception {
        InfinispanSessionData write = written("s1", Map.of("tandem.counter", 42L));
        byte[] bytes = write.getSerializedAttributes();

        write.setAttribute("tandem.counter", 99L);
        write.setAttribute("tandem.user", "eve");

        assertThat(load("s1", bytes).getAllAttributes()).isEqualTo(Map.of("tandem.counter", 42L));
    }

    @Test
    void aWriteHoldingAMutableValueKeepsNothingAndItsBytesAreDecodedWhenRead() throws Exception {
        Map<String, Integer> cart = new LinkedHashMap<>(Map.of("apple", 2));
        InfinispanSessionData write = written("s1", Map.of("tandem.cart", cart));

        Object readBack = load("s1", write.getSerializedAttributes()).getAttribute("tandem.cart");

        assertThat(readBack).isNotSameAs(cart).isEqualTo(Map.of("apple", 2));
    }

    @Test
    void anEntryWithoutSerializedAttributesIsLeftAsItIs() throws Exception {
        InfinispanSessionData data = entry("s1");
        data.setAttribute("tandem.user", "ada");

        decoded.decode(data);

        assertThat(data.getAllAttributes()).isEqualTo(Map.of("tandem.user", "ada"));
    }
}
