package dev.tandem.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;

/** The id generator alone: 24 URL-safe characters, every one of them random, no counter, no node name in it. */
class RandomSessionIdsTest {
    private static final int N = 20_000;

    private static List<String> ids(int n) {
        RandomSessionIds ids = new RandomSessionIds(new Server());
        ids.setWorkerName("n1");
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(ids.newSessionId(i));
        }
        return out;
    }

    @Test
    void idsAre24UrlSafeCharactersAndAllDistinct() {
        List<String> ids = ids(N);
        assertThat(ids).allMatch(id -> id.matches("[A-Za-z0-9_-]{24}"));
        assertThat(new HashSet<>(ids)).hasSize(N);
    }

    @Test
    void everyPositionTakesEveryCharacterSoNoPrefixSuffixOrCounterShowsThrough() {
        List<String> ids = ids(N);
        for (int pos = 0; pos < 24; pos++) {
            Set<Character> seen = new HashSet<>();
            for (String id : ids) {
                seen.add(id.charAt(pos));
            }
            // 20,000 draws from 64 characters miss one with probability ~64 * e^-312: never.
            assertThat(seen).as("characters seen at position %d", pos).hasSize(64);
        }
    }

    @Test
    void consecutiveIdsShareNoMoreThanChanceAtEitherEnd() {
        List<String> ids = ids(N);
        int samePrefix = 0;
        int sameSuffix = 0;
        for (int i = 1; i < N; i++) {
            samePrefix += ids.get(i).regionMatches(0, ids.get(i - 1), 0, 2) ? 1 : 0;
            sameSuffix += ids.get(i).regionMatches(22, ids.get(i - 1), 22, 2) ? 1 : 0;
        }
        // Two characters match by chance 1 time in 4096: about 5 of 20,000 pairs.
        assertThat(samePrefix).as("consecutive pairs with the same first two characters").isLessThan(25);
        assertThat(sameSuffix).as("consecutive pairs with the same last two characters").isLessThan(25);
        assertThat(ids).filteredOn(id -> id.startsWith("n1")).as("the worker name is not a prefix").hasSizeLessThan(25);
    }

    @Test
    void manyThreadsGetDistinctIds() throws Exception {
        RandomSessionIds ids = new RandomSessionIds(new Server());
        Set<String> all = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        all.add(ids.newSessionId(i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(all).hasSize(40_000);
    }
}
