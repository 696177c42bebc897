package io.gencluster.discovery.epmdall;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gencluster.testing.CfgValues;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values typed into {@code io.gencluster.discovery.epmd.cfg}: accepted, or refused with an
 * IllegalArgumentException naming the key and value, never anything else.
 */
class SettingsFuzzTest {

    private static final String[] KEYS = {"hosts", "epmd.port", "timeout.ms", "include.foreign", "max.peers"};

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void anyCfgValuesAreAcceptedOrRefusedByKeyAndValue(FuzzedDataProvider data) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEYS) {
            if (data.consumeBoolean()) {
                values.put(key, data.consumeString(40));
            }
        }
        try {
            EpmdAllDiscovery d = EpmdAllDiscovery.of(
                    CfgValues.of(EpmdAllDiscoveryConfig.class, values), new LinkedHashMap<>(values), () -> "127.0.0.1");
            if (d.toString().isEmpty()) {
                throw new AssertionError("an accepted discovery that cannot describe itself");
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("key '")) {
                throw new AssertionError("refusal without the key: " + e.getMessage(), e);
            }
        }
    }
}
