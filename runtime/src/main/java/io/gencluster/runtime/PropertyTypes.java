package io.gencluster.runtime;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Fills a configuration type (an annotation interface, as a DS component reads its configuration)
 * from the properties of a {@code .cfg} file, as DS does in OSGi: method {@code tick_ms()} reads
 * key {@code tick.ms}, an absent key gives the method's default. So a node started without OSGi
 * reads the same files, and its values go through the same typed settings and checks.
 *
 * <p>Stricter than DS where DS would guess: every value is converted at once and one that does not
 * fit its type is refused naming the key and the value (DS reads {@code yes} as {@code false}).
 */
final class PropertyTypes {

    private PropertyTypes() {
    }

    /**
     * @throws IllegalArgumentException naming the PID, key and value of the first value that does not fit
     */
    static <T> T of(Class<T> type, String pid, Map<String, String> properties) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type + " is not an interface");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Method m : type.getDeclaredMethods()) {
            if (m.getParameterCount() != 0 || m.isDefault() || java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String key = key(m.getName());
            String raw = properties.get(key);
            values.put(m.getName(), raw == null ? defaultValue(m, pid) : convert(m.getReturnType(), pid, key, raw));
        }
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            switch (m.getName()) {
                case "annotationType":
                    return type;
                case "hashCode":
                    return values.hashCode();
                case "equals":
                    return p == args[0];
                case "toString":
                    return pid + " " + values.keySet();
                default:
                    Object v = values.get(m.getName());
                    return v instanceof String[] ? ((String[]) v).clone() : v;
            }
        });
        return type.cast(proxy);
    }

    /** The keys of {@code type}'s settings (its methods, by the DS name mapping). */
    static Set<String> knownKeys(Class<?> type) {
        Set<String> known = new TreeSet<>();
        for (Method m : type.getDeclaredMethods()) {
            known.add(key(m.getName()));
        }
        return known;
    }

    /** DS name mapping (OSGi Compendium 112.8.2.1): {@code $_$} is '-', {@code __} is '_', {@code _} is '.', {@code $$} is '$', a lone '$' vanishes. */
    static String key(String method) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c == '$' && method.startsWith("$_$", i)) {
                b.append('-');
                i += 2;
            } else if (c == '$' && method.startsWith("$$", i)) {
                b.append('$');
                i++;
            } else if (c == '$') {
                continue;
            } else if (c == '_' && method.startsWith("__", i)) {
                b.append('_');
                i++;
            } else if (c == '_') {
                b.append('.');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Object defaultValue(Method m, String pid) {
        Object d = m.getDefaultValue();
        if (d == null) {
            throw new IllegalArgumentException("configuration " + pid + ": key '" + key(m.getName()) + "' is required");
        }
        return d;
    }

    private static Object convert(Class<?> type, String pid, String key, String raw) {
        String t = raw.trim();
        try {
            if (type == String.class) {
                return raw;
            }
            if (type == String[].class) {
                // one value, as a .cfg line gives it; the settings split lists as they do in OSGi
                return new String[] {raw};
            }
            if (type == int.class) {
                return Integer.parseInt(t);
            }
            if (type == long.class) {
                return Long.parseLong(t);
            }
            if (type == boolean.class) {
                if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException("expected true or false");
                }
                return Boolean.parseBoolean(t);
            }
        } catch (NumberFormatException e) {
            throw invalid(pid, key, raw, "expected a whole number");
        } catch (IllegalArgumentException e) {
            throw invalid(pid, key, raw, e.getMessage());
        }
        throw invalid(pid, key, raw, "a " + type.getSimpleName() + " setting is not supported here; types: "
                + Arrays.asList("String", "String[]", "int", "long", "boolean"));
    }

    private static IllegalArgumentException invalid(String pid, String key, String raw, String why) {
        return new IllegalArgumentException("configuration " + pid + ": key '" + key + "' has invalid value '" + raw + "': "
                + why.toLowerCase(Locale.ROOT).charAt(0) + why.substring(1));
    }
}
