package dev.tandem.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Request ids alone: the balancer's kept when well-formed, otherwise fresh random-UUID-shaped ids, all distinct. */
class RequestIdsTest {

    @Test
    void aFreshIdHasTheShapeOfARandomUuid() {
        for (int i = 0; i < 1_000; i++) {
            String id = RequestIds.pick(null);
            assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            UUID parsed = UUID.fromString(id);
            assertThat(parsed.version()).isEqualTo(4);
            assertThat(parsed.variant()).isEqualTo(2);
        }
    }

    @Test
    void idsMadeByManyThreadsAtOnceAreAllDistinct() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 25_000; i++) {
                        seen.add(RequestIds.pick(null));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(seen).hasSize(200_000);
    }

    @Test
    void everyRandomHexDigitTakesEveryValueSoNoCounterOrFixedPrefixShowsThrough() {
        List<Set<Character>> perPosition = new ArrayList<>();
        for (int i = 0; i < 36; i++) {
            perPosition.add(new java.util.HashSet<>());
        }
        for (int n = 0; n < 5_000; n++) {
            String id = RequestIds.pick(null);
            for (int i = 0; i < 36; i++) {
                perPosition.get(i).add(id.charAt(i));
            }
        }
        for (int i = 0; i < 36; i++) {
            int expected = switch (i) {
                case 8, 13, 18, 23 -> 1; // the dashes
                case 14 -> 1;            // the version digit, 4
                case 19 -> 4;            // the variant digit, 8 9 a b
                default -> 16;
            };
            assertThat(perPosition.get(i)).as("characters at position %d", i).hasSize(expected);
        }
    }

    @Test
    void aWellFormedIdFromTheBalancerIsKept() {
        for (String good : new String[] {"lb-req-0001:abc", "12345678", "a.b_c:d-e", "x".repeat(128)}) {
            assertThat(RequestIds.pick(good)).isSameAs(good);
        }
    }

    @Test
    void aMalformedIdIsReplaced() {
        for (String bad : new String[] {"", "short", "1234567", "x".repeat(129), "a b c d e f", "<script>x</script>",
                "ok-but-é-accented", "tab\there1", "new\nline12"}) {
            assertThat(RequestIds.pick(bad)).as("for %s", bad).isNotEqualTo(bad).hasSize(36);
        }
    }
}
