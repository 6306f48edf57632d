package dev.ferry.router;

import dev.ferry.router.model.ScoringPolicy;
import dev.ferry.schema.ConfigException;
import dev.ferry.schema.ConfigValues;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The router's settings, validated in one place: a bad value fails at start with a {@link ConfigException}
 * naming the key. Every key can also be set as an environment variable ({@code FERRY_ROUTER_SCORING}).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code ferry.router.application-id}</td><td>{@code ferry-router}</td><td>Kafka Streams application id:
 *       consumer group, prefix of the state topics and of the router's own topics</td></tr>
 *   <tr><td>{@code ferry.router.scoring}</td><td>{@code spread}</td><td>{@code spread} or {@code bin-pack}</td></tr>
 *   <tr><td>{@code ferry.router.commit-interval}</td><td>{@code 50ms}</td><td>how often Streams commits its
 *       transaction; with exactly-once, output is visible only after a commit, and an intent waits for two (the
 *       routing side's, then its pool's), so this bounds latency: 50 ms keeps p99 near 200 ms at 1,000 intents/s;
 *       100 ms routes bursts somewhat faster (fewer, larger transactions) but brings p99 close to 300 ms (README,
 *       RouterBenchmark)</td></tr>
 *   <tr><td>{@code ferry.router.view-interval}</td><td>{@code 50ms}</td><td>how often pools' partitions publish
 *       their usage to the routing side</td></tr>
 *   <tr><td>{@code ferry.router.pool-check-interval}</td><td>{@code 1s}</td><td>how often expired heartbeats
 *       are looked for (their queued pods are re-routed)</td></tr>
 *   <tr><td>{@code ferry.router.finished-retention}</td><td>{@code 24h}</td><td>how long a finished, rejected or
 *       cancelled pod is remembered, so a late duplicate intent is recognised</td></tr>
 *   <tr><td>{@code ferry.router.ignored-node-labels}</td><td>{@code kubernetes.io/hostname,kubernetes.io/role,
 *       type,ferry.dev/virtual-node}</td><td>nodeSelector and affinity keys that describe the virtual node (which
 *       Kubernetes already matched), not a pool</td></tr>
 *   <tr><td>{@code ferry.router.threads}</td><td>2</td><td>stream threads. One spends close to half its time waiting
 *       (for fetches, and for each commit's round trips to the broker); a second works meanwhile: on 2 cores bursts
 *       route about a third faster, and p99 at 1,000 intents/s stays as it was (README, RouterBenchmark)</td></tr>
 *   <tr><td>{@code ferry.router.state-dir}</td><td>{@code <tmp>/ferry-router}</td><td>where the state stores live</td></tr>
 *   <tr><td>{@code ferry.router.store}</td><td>{@code rocksdb}</td><td>{@code rocksdb} or {@code in-memory}, for
 *       the stores that grow with the pods' history or the queues (pods, their expiry index, the pools' queues);
 *       the pools' other stores (adverts, usage, the pods each pool holds) are always in memory. State is restored
 *       from the changelog topics either way</td></tr>
 *   <tr><td>{@code ferry.router.streams.*}</td><td></td><td>passed to Kafka Streams, prefix removed (e.g.
 *       {@code ferry.router.streams.session.timeout.ms})</td></tr>
 * </table>
 *
 * @param applicationId      Kafka Streams application id
 * @param scoring            how a pool is chosen among those that fit
 * @param commitInterval     Streams' commit interval
 * @param viewInterval       how often pool usage is published to the routing side
 * @param poolCheckInterval  how often stale heartbeats are looked for
 * @param finishedRetention  how long terminal pods are remembered
 * @param ignoredNodeLabels  label keys of the virtual node, skipped when matching pools
 * @param threads            stream threads
 * @param stateDir           the state directory
 * @param inMemoryStores     in-memory state stores instead of RocksDB
 * @param streamsOverrides   extra Kafka Streams settings
 */
public record RouterConfig(
        String applicationId,
        ScoringPolicy scoring,
        Duration commitInterval,
        Duration viewInterval,
        Duration poolCheckInterval,
        Duration finishedRetention,
        Set<String> ignoredNodeLabels,
        int threads,
        Path stateDir,
        boolean inMemoryStores,
        Map<String, String> streamsOverrides) {

    public static final String APPLICATION_ID = "ferry.router.application-id";
    public static final String SCORING = "ferry.router.scoring";
    public static final String COMMIT_INTERVAL = "ferry.router.commit-interval";
    public static final String VIEW_INTERVAL = "ferry.router.view-interval";
    public static final String POOL_CHECK_INTERVAL = "ferry.router.pool-check-interval";
    public static final String FINISHED_RETENTION = "ferry.router.finished-retention";
    public static final String IGNORED_NODE_LABELS = "ferry.router.ignored-node-labels";
    public static final String THREADS = "ferry.router.threads";
    /** Stream threads when {@value #THREADS} is not set. */
    public static final int DEFAULT_THREADS = 2;
    public static final String STATE_DIR = "ferry.router.state-dir";
    public static final String STORE = "ferry.router.store";
    public static final String STREAMS_PREFIX = "ferry.router.streams.";

    public static final String DEFAULT_APPLICATION_ID = "ferry-router";
    public static final String DEFAULT_IGNORED_NODE_LABELS = "kubernetes.io/hostname,kubernetes.io/role,type,ferry.dev/virtual-node";

    /** Kafka's legal characters for a topic name, which the application id becomes part of. */
    private static final Pattern LEGAL_ID = Pattern.compile("[a-zA-Z0-9._-]{1,180}");

    public RouterConfig {
        Objects.requireNonNull(applicationId, "applicationId");
        if (!LEGAL_ID.matcher(applicationId).matches()) {
            throw new ConfigException(APPLICATION_ID, "may contain only letters, digits, '.', '_' and '-' (1 to 180), was '"
                    + applicationId + "'");
        }
        Objects.requireNonNull(scoring, "scoring");
        requirePositive(COMMIT_INTERVAL, commitInterval);
        requirePositive(VIEW_INTERVAL, viewInterval);
        requirePositive(POOL_CHECK_INTERVAL, poolCheckInterval);
        requirePositive(FINISHED_RETENTION, finishedRetention);
        ignoredNodeLabels = Set.copyOf(ignoredNodeLabels);
        if (threads < 1) {
            throw new ConfigException(THREADS, "must be at least 1, was " + threads);
        }
        Objects.requireNonNull(stateDir, "stateDir");
        streamsOverrides = Map.copyOf(streamsOverrides);
    }

    /** Every default. */
    public static RouterConfig defaults() {
        return from(ConfigValues.of(Map.of()), Map.of());
    }

    /** From a flat map of {@code ferry.router.*} keys (other keys are ignored). */
    public static RouterConfig fromMap(Map<String, String> map) {
        return from(ConfigValues.of(map), map);
    }

    /**
     * From typed values (which may read the environment) and the raw map, which the {@code ferry.router.streams.*}
     * pass-through keys come from.
     */
    public static RouterConfig from(ConfigValues values, Map<String, String> raw) {
        ScoringPolicy scoring;
        String scoringText = values.string(SCORING, ScoringPolicy.SPREAD.configValue());
        try {
            scoring = ScoringPolicy.parse(scoringText);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SCORING, e.getMessage());
        }
        String store = values.string(STORE, "rocksdb").toLowerCase(Locale.ROOT);
        if (!store.equals("rocksdb") && !store.equals("in-memory")) {
            throw new ConfigException(STORE, "must be rocksdb or in-memory, was '" + store + "'");
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(STREAMS_PREFIX) && k.length() > STREAMS_PREFIX.length()) {
                overrides.put(k.substring(STREAMS_PREFIX.length()), v);
            }
        });
        return new RouterConfig(
                values.string(APPLICATION_ID, DEFAULT_APPLICATION_ID),
                scoring,
                values.duration(COMMIT_INTERVAL).orElse(Duration.ofMillis(50)),
                values.duration(VIEW_INTERVAL).orElse(Duration.ofMillis(50)),
                values.duration(POOL_CHECK_INTERVAL).orElse(Duration.ofSeconds(1)),
                values.duration(FINISHED_RETENTION).orElse(Duration.ofHours(24)),
                Arrays.stream(values.string(IGNORED_NODE_LABELS, DEFAULT_IGNORED_NODE_LABELS).split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet()),
                values.integer(THREADS, DEFAULT_THREADS, 1, 64),
                Paths.get(values.string(STATE_DIR, Paths.get(System.getProperty("java.io.tmpdir"), "ferry-router").toString())),
                store.equals("in-memory"),
                overrides);
    }

    /** The same settings with another application id (the CLI's {@code --application-id}). */
    public RouterConfig withApplicationId(String id) {
        return new RouterConfig(id, scoring, commitInterval, viewInterval, poolCheckInterval, finishedRetention,
                ignoredNodeLabels, threads, stateDir, inMemoryStores, streamsOverrides);
    }

    /** The same settings with another state directory (the CLI's {@code --state-dir}). */
    public RouterConfig withStateDir(Path dir) {
        return new RouterConfig(applicationId, scoring, commitInterval, viewInterval, poolCheckInterval,
                finishedRetention, ignoredNodeLabels, threads, dir, inMemoryStores, streamsOverrides);
    }

    /** The same settings with other stores (tests use in-memory ones). */
    public RouterConfig withInMemoryStores(boolean inMemory) {
        return new RouterConfig(applicationId, scoring, commitInterval, viewInterval, poolCheckInterval,
                finishedRetention, ignoredNodeLabels, threads, stateDir, inMemory, streamsOverrides);
    }

    private static void requirePositive(String key, Duration d) {
        Objects.requireNonNull(d, key);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(key, "must be positive, was " + d);
        }
    }
}
