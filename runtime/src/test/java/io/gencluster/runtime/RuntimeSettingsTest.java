package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuntimeSettingsTest {

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        RuntimeSettings s = RuntimeSettings.defaults();
        assertEquals(Optional.of(Duration.ofMillis(5000)), s.refreshInterval());
        assertEquals(RemovedNodes.KEEP, s.removedNodes());
        assertEquals(Duration.ofMillis(500), s.backoffInitial());
        assertEquals(Duration.ofMillis(30000), s.backoffMax());
    }

    @Test
    void valuesTooLargeForTheLoopsTimeArithmeticAreRefusedByKey() {
        assertTrue(error(() -> new RuntimeSettings("5000", Long.MAX_VALUE, 1, 1, 1, "keep"))
                .startsWith("key 'connect.timeout.ms' has invalid value '" + Long.MAX_VALUE + "': must be at most"));
        assertTrue(error(() -> new RuntimeSettings("99999999999", 1, 1, 1, 1, "keep"))
                .startsWith("key 'refresh.interval.ms' has invalid value '99999999999'"));
        assertEquals(Optional.of(Duration.ofMillis(Integer.MAX_VALUE)),
                new RuntimeSettings(String.valueOf(Integer.MAX_VALUE), 1, 1, 1, 1, "keep").refreshInterval());
    }

    @Test
    void infinityAndNegativeIntervalsMeanOnce() {
        assertEquals(Optional.empty(), new RuntimeSettings("infinity", 1, 1, 1, 1, "keep").refreshInterval());
        assertEquals(Optional.empty(), new RuntimeSettings(" Infinity ", 1, 1, 1, 1, "keep").refreshInterval());
        assertEquals(Optional.empty(), new RuntimeSettings("-1", 1, 1, 1, 1, "keep").refreshInterval());
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        assertTrue(error(() -> new RuntimeSettings("abc", 1, 1, 1, 1, "keep"))
                .startsWith("key 'refresh.interval.ms' has invalid value 'abc'"));
        assertTrue(error(() -> new RuntimeSettings("0", 1, 1, 1, 1, "keep"))
                .startsWith("key 'refresh.interval.ms' has invalid value '0'"));
        assertTrue(error(() -> new RuntimeSettings("5000", 0, 1, 1, 1, "keep"))
                .startsWith("key 'connect.timeout.ms' has invalid value '0'"));
        assertTrue(error(() -> new RuntimeSettings("5000", 1, 1, -5, 1, "keep"))
                .startsWith("key 'reconnect.backoff.initial.ms' has invalid value '-5'"));
        assertTrue(error(() -> new RuntimeSettings("5000", 1, 1, 100, 10, "keep"))
                .startsWith("key 'reconnect.backoff.max.ms' has invalid value '10'"));
        assertTrue(error(() -> new RuntimeSettings("5000", 1, 0, 1, 1, "keep"))
                .startsWith("key 'discovery.timeout.ms' has invalid value '0'"));
        assertTrue(error(() -> new RuntimeSettings("5000", 1, 1, 0, 1, "keep"))
                .startsWith("key 'reconnect.backoff.initial.ms' has invalid value '0'"));
        assertTrue(error(() -> new RuntimeSettings("5000", 1, 1, 1, -1, "keep"))
                .startsWith("key 'reconnect.backoff.max.ms' has invalid value '-1'"));
        assertTrue(error(() -> new RuntimeSettings("5 s", 1, 1, 1, 1, "keep"))
                .startsWith("key 'refresh.interval.ms' has invalid value '5 s'"));
        assertTrue(error(() -> new RuntimeSettings("5000", 1, 1, 1, 1, ""))
                .startsWith("key 'removed.nodes' has invalid value ''"));
        assertTrue(error(() -> new RuntimeSettings("5000", 1, 1, 1, 1, "maybe"))
                .startsWith("key 'removed.nodes' has invalid value 'maybe': expected 'keep' or 'disconnect'"));
    }
}
