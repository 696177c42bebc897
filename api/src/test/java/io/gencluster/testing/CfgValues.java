package io.gencluster.testing;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A component's configuration type over the text of a {@code .cfg} file, as DS hands it over:
 * method {@code tick_ms()} reads key {@code tick.ms}; a missing key gives the method's default; a
 * value converts to the method's type when called, and one that does not convert throws there,
 * as SCR's does. Shared by the modules' tests through this module's test jar.
 */
public final class CfgValues {

    private CfgValues() {
    }

    public static <T> T of(Class<T> type, Map<String, String> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            if (m.getDeclaringClass() == Object.class || m.getName().equals("annotationType")) {
                return m.getName().equals("annotationType") ? type : m.getName().equals("hashCode") ? 0
                        : m.getName().equals("equals") ? proxy == args[0] : "cfg " + values;
            }
            String text = values.get(m.getName().replace('_', '.'));
            return text == null ? m.getDefaultValue() : convert(m, text);
        }));
    }

    private static Object convert(Method m, String text) {
        Class<?> t = m.getReturnType();
        if (t == String.class) {
            return text;
        } else if (t == String[].class) {
            return new String[] {text};
        } else if (t == int.class) {
            return Integer.parseInt(text.trim());
        } else if (t == long.class) {
            return Long.parseLong(text.trim());
        } else if (t == boolean.class) {
            return Boolean.parseBoolean(text.trim());
        }
        throw new IllegalStateException("no conversion to " + t + " for " + m.getName());
    }
}
