package io.gencluster.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A .cfg file's properties read into a configuration type as DS would, without OSGi. */
class PropertyTypesTest {

    @interface Sample {
        long tick_ms() default 1000;

        int port() default 4370;

        boolean mesh_transitive() default true;

        String node_name() default "";

        String[] nodes() default {};

        String odd__name$_$x() default "d";
    }

    @Test
    void keysFollowTheDsNameMapping() {
        assertEquals("tick.ms", PropertyTypes.key("tick_ms"));
        assertEquals("odd_name-x", PropertyTypes.key("odd__name$_$x"));
        assertEquals("a$b", PropertyTypes.key("a$$b"));
    }

    @Test
    void absentKeysGiveTheDefaultsAndPresentOnesAreConverted() {
        Sample s = PropertyTypes.of(Sample.class, "pid", Map.of("tick.ms", " 250 ", "mesh.transitive", "FALSE",
                "nodes", "a@h:1, b@h:2", "odd_name-x", "v"));
        assertEquals(250, s.tick_ms());
        assertEquals(4370, s.port());
        assertEquals(false, s.mesh_transitive());
        assertEquals("", s.node_name());
        assertArrayEquals(new String[] {"a@h:1, b@h:2"}, s.nodes(), "one value, split by the settings as in OSGi");
        assertEquals("v", s.odd__name$_$x());
        assertEquals(Sample.class, s.annotationType());
    }

    @Test
    void aValueThatDoesNotFitIsRefusedNamingPidKeyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PropertyTypes.of(Sample.class, "io.x", Map.of("port", "many")));
        assertEquals("configuration io.x: key 'port' has invalid value 'many': expected a whole number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PropertyTypes.of(Sample.class, "io.x", Map.of("mesh.transitive", "yes")));
        assertEquals("configuration io.x: key 'mesh.transitive' has invalid value 'yes': expected true or false", e.getMessage());
    }

    @Test
    void keysThatAreNoSettingAreReportedAsLikelyTyposWithTheNearestSetting() {
        assertEquals(java.util.List.of("io.x: 'tick.msec' is not a setting of io.x and is ignored; did you mean 'tick.ms'?"),
                UnknownKeys.describe("io.x", PropertyTypes.knownKeys(Sample.class), Set.of("tick.msec", "port", "service.pid")));
    }

    @Test
    void theRuntimesOwnConfigurationTypeReadsAsInOsgi() {
        Map<String, String> props = Map.of("refresh.interval.ms", "infinity", "reconnect.backoff.initial.ms", "50");
        RuntimeSettings s = RuntimeSettings.of(PropertyTypes.of(RuntimeConfig.class, "io.gencluster", props), props);
        assertEquals(java.util.Optional.empty(), s.refreshInterval());
        assertEquals(50, s.backoffInitial().toMillis());
        assertEquals(5000, s.connectTimeout().toMillis());
    }
}
