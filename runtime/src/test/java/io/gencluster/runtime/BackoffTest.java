package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration INITIAL = Duration.ofMillis(500);
    private static final Duration MAX = Duration.ofMillis(30_000);

    @Test
    void theDelayDoublesPerFailureWithinTwentyPercentAndNeverPassesTheCap() {
        Random random = new Random(7);
        Backoff backoff = new Backoff(INITIAL, MAX, random);
        for (int failures = 1; failures <= 70; failures++) {
            double base = Math.min(MAX.toMillis(), INITIAL.toMillis() * Math.pow(2, Math.min(failures - 1, 40)));
            for (int sample = 0; sample < 200; sample++) {
                long d = backoff.delay(failures).toMillis();
                assertTrue(d >= Math.floor(base * 0.8) && d <= Math.min(Math.ceil(base * 1.2), MAX.toMillis()),
                        "failures " + failures + ": " + d + " ms for base " + base);
            }
        }
    }

    @Test
    void jitterSpreadsNodesThatFailedTogether() {
        Backoff backoff = new Backoff(INITIAL, MAX, new Random(1));
        Set<Long> delays = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            delays.add(backoff.delay(1).toMillis());
        }
        assertTrue(delays.size() > 20, "50 first retries fall on " + delays.size() + " distinct delays");
    }

    @Test
    void aPromptRedialComesWithinAFifthOfTheInitialDelaySpreadOverIt() {
        Backoff backoff = new Backoff(INITIAL, MAX, new Random(5));
        Set<Long> delays = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long d = backoff.prompt().toMillis();
            assertTrue(d >= 1 && d <= INITIAL.toMillis() / 5, d + " ms");
            delays.add(d);
        }
        assertTrue(delays.size() > 50, "200 prompt redials fall on " + delays.size() + " distinct delays");
        assertEquals(INITIAL, backoff.longLived());
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        Backoff a = new Backoff(INITIAL, MAX, new Random(99));
        Backoff b = new Backoff(INITIAL, MAX, new Random(99));
        for (int failures = 1; failures < 12; failures++) {
            assertEquals(a.delay(failures), b.delay(failures));
        }
    }

    @Test
    void aCapEqualToTheInitialDelayGivesAtMostTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), new Random(3));
        for (int failures = 1; failures < 10; failures++) {
            assertEquals(1, backoff.delay(failures).toMillis());
        }
    }
}
