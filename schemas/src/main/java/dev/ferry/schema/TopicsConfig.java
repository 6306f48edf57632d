package dev.ferry.schema;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where Ferry's topics live and how they are created.
 *
 * <table>
 *   <caption>Keys (each also readable from the environment, e.g. {@code FERRY_TOPIC_PREFIX})</caption>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>{@code ferry.topic.prefix}</td><td>{@code ferry.}</td></tr>
 *   <tr><td>{@code ferry.topic.partitions}</td><td>6</td></tr>
 *   <tr><td>{@code ferry.topic.replication-factor}</td><td>the broker's default</td></tr>
 *   <tr><td>{@code ferry.topic.retention}</td><td>7d (intents, jobs, status, decisions)</td></tr>
 *   <tr><td>{@code ferry.topic.logs-retention}</td><td>1d</td></tr>
 *   <tr><td>{@code ferry.topic.dead-letters-retention}</td><td>30d</td></tr>
 * </table>
 */
public record TopicsConfig(
        String prefix,
        int partitions,
        Optional<Short> replicationFactor,
        Duration retention,
        Duration logsRetention,
        Duration deadLettersRetention) {

    public static final String PREFIX = "ferry.topic.prefix";
    public static final String PARTITIONS = "ferry.topic.partitions";
    public static final String REPLICATION_FACTOR = "ferry.topic.replication-factor";
    public static final String RETENTION = "ferry.topic.retention";
    public static final String LOGS_RETENTION = "ferry.topic.logs-retention";
    public static final String DEAD_LETTERS_RETENTION = "ferry.topic.dead-letters-retention";

    /** Kafka's legal topic characters; a prefix or site name outside them would make a topic that cannot exist. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");

    public TopicsConfig {
        if (!LEGAL.matcher(prefix).matches() || prefix.length() > 200) {
            throw new ConfigException(PREFIX, "may contain only letters, digits, '.', '_' and '-' (at most 200), was '" + prefix + "'");
        }
        if (partitions < 1) {
            throw new ConfigException(PARTITIONS, "must be at least 1, was " + partitions);
        }
        replicationFactor.ifPresent(rf -> {
            if (rf < 1) {
                throw new ConfigException(REPLICATION_FACTOR, "must be at least 1, was " + rf);
            }
        });
        requirePositive(RETENTION, retention);
        requirePositive(LOGS_RETENTION, logsRetention);
        requirePositive(DEAD_LETTERS_RETENTION, deadLettersRetention);
    }

    public static TopicsConfig defaults() {
        return fromMap(Map.of());
    }

    public static TopicsConfig fromMap(Map<String, String> map) {
        return from(ConfigValues.of(map));
    }

    public static TopicsConfig from(ConfigValues values) {
        Optional<Short> rf = values.get(REPLICATION_FACTOR).isPresent()
                ? Optional.of((short) values.integer(REPLICATION_FACTOR, 1, 1, Short.MAX_VALUE))
                : Optional.empty();
        return new TopicsConfig(
                values.string(PREFIX, "ferry."),
                values.integer(PARTITIONS, 6, 1, 10_000),
                rf,
                values.duration(RETENTION).orElse(Duration.ofDays(7)),
                values.duration(LOGS_RETENTION).orElse(Duration.ofDays(1)),
                values.duration(DEAD_LETTERS_RETENTION).orElse(Duration.ofDays(30)));
    }

    /** Checks that a site name can be part of a topic name ({@code jobs.<site>}). */
    public static String requireLegalSite(String site) {
        if (site == null || site.isEmpty() || !LEGAL.matcher(site).matches() || site.length() > 200) {
            throw new IllegalArgumentException("site name '" + site
                    + "' cannot be part of a topic name: use letters, digits, '.', '_' and '-' (at most 200)");
        }
        return site;
    }

    private static void requirePositive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(key, "must be positive, was " + d);
        }
    }
}
