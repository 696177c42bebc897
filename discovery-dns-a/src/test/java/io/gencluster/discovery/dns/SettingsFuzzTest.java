package io.gencluster.discovery.dns;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gencluster.testing.CfgValues;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xbill.DNS.SimpleResolver;

/**
 * Values typed into {@code io.gencluster.discovery.dns.cfg}: accepted, or refused with an
 * IllegalArgumentException naming the key and value, never anything else; an accepted timeout
 * works in deadline arithmetic. The discovery is built over a resolver that is never asked
 * (servers by name would be resolved, which is not parsing).
 */
class SettingsFuzzTest {

    private static final String[] KEYS = {"domain", "record.type", "basename", "host.type", "servers", "port", "search",
        "timeout.ms", "max.peers"};

    @FuzzTest(maxDuration = "2h") // fuzzing only: bin/fuzz decides how long a run lasts (Jazzer's default stops at 5 min)
    void anyCfgValuesAreAcceptedOrRefusedByKeyAndValue(FuzzedDataProvider data) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEYS) {
            if (data.consumeBoolean()) {
                values.put(key, data.consumeString(40));
            }
        }
        DnsSettings s;
        try {
            s = DnsSettings.of(CfgValues.of(DnsDiscoveryConfig.class, values), new LinkedHashMap<>(values));
            new DnsDiscovery(s, () -> "self", new SimpleResolver("127.0.0.1"));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("key '")) {
                throw new AssertionError("refusal without the key: " + e.getMessage(), e);
            }
            return;
        }
        try {
            Math.addExact(System.nanoTime(), s.timeout.toNanos());
        } catch (ArithmeticException e) {
            throw new AssertionError("accepted a timeout of " + s.timeout.toMillis() + " ms that overflows a deadline: " + values, e);
        }
    }
}
