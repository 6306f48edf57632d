package dev.ferry.schema;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads from a flat configuration map, failing with a {@link ConfigException} that names
 * the key. Keys are dotted ({@code ferry.topic.prefix}); each can also be given as an environment
 * variable in upper snake case ({@code FERRY_TOPIC_PREFIX}), which wins over the map.
 */
public final class ConfigValues {
    private final Map<String, String> values;
    private final Map<String, String> environment;

    private ConfigValues(Map<String, String> values, Map<String, String> environment) {
        this.values = Map.copyOf(values);
        this.environment = Map.copyOf(environment);
    }

    public static ConfigValues of(Map<String, String> values) {
        return new ConfigValues(values, Map.of());
    }

    public static ConfigValues of(Map<String, String> values, Map<String, String> environment) {
        return new ConfigValues(values, environment);
    }

    /** The environment variable that overrides {@code key}: {@code ferry.topic.prefix} → {@code FERRY_TOPIC_PREFIX}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Optional<String> get(String key) {
        String fromEnv = environment.get(envName(key));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(fromEnv.trim());
        }
        String value = values.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw new ConfigException(key, "must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "must be a whole number, was '" + raw.get() + "'");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = get(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(key, "must be true or false, was '" + raw.get() + "'");
        };
    }

    /** A duration as ISO-8601 ({@code PT10M}) or a number with a unit: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 7d}. */
    public Optional<Duration> duration(String key) {
        return get(key).map(raw -> parseDuration(key, raw));
    }

    static Duration parseDuration(String key, String raw) {
        String s = raw.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(raw.trim().toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new ConfigException(key, "must be a duration such as 500ms, 30s, 10m, 2h, 7d or PT10M, was '" + raw + "'");
        }
    }
}
