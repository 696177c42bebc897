package io.gencluster.runtime;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Values typed into .cfg files: the runtime's settings accept them or refuse them with an
 * IllegalArgumentException naming the key and value, never anything else.
 */
class SettingsFuzzTest {

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void anyConfigurationIsAcceptedOrRefusedByKeyAndValue(FuzzedDataProvider data) {
        try {
            new RuntimeSettings(data.consumeString(40), data.consumeLong(), data.consumeLong(), data.consumeLong(),
                    data.consumeLong(), data.consumeRemainingAsString());
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().startsWith("key '")) {
                throw new AssertionError("refusal without the key: " + e.getMessage());
            }
        }
    }
}
