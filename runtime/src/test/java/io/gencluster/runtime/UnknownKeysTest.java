package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnknownKeysTest {

    private static final Set<String> RUNTIME = Set.of("refresh.interval.ms", "connect.timeout.ms", "removed.nodes",
            "removed.grace.ms", "discovery.target");

    @Test
    void aMisspeltKeyIsNamedWithTheSettingMeant() {
        assertEquals(List.of("io.gencluster: 'refresh.intervall.ms' is not a setting of io.gencluster and is ignored;"
                + " did you mean 'refresh.interval.ms'?"), UnknownKeys.describe("io.gencluster", RUNTIME,
                        Set.of("refresh.intervall.ms", "removed.nodes")));
    }

    @Test
    void aKeyNothingLikeASettingListsTheSettings() {
        List<String> out = UnknownKeys.describe("io.gencluster", RUNTIME, Set.of("colour"));
        assertEquals(1, out.size());
        assertEquals("io.gencluster: 'colour' is not a setting of io.gencluster and is ignored; its settings are "
                + "[connect.timeout.ms, discovery.target, refresh.interval.ms, removed.grace.ms, removed.nodes]", out.get(0));
        assertNull(UnknownKeys.nearest("colour", RUNTIME));
    }

    @Test
    void whatFrameworksAndToolsAddIsNoSetting() {
        assertEquals(List.of(), UnknownKeys.describe("io.gencluster", RUNTIME, Set.of("service.pid", "service.factoryPid",
                "felix.fileinstall.filename", "component.name", "dist.target", "osgi.ds.satisfying.condition.target")));
    }

    @Test
    void distanceCountsEdits() {
        assertEquals(0, UnknownKeys.distance("port", "port"));
        assertEquals(1, UnknownKeys.distance("port", "prt"));
        assertEquals(2, UnknownKeys.distance("tick.ms", "tikc.ms"));
        assertEquals(4, UnknownKeys.distance("", "port"));
    }
}
