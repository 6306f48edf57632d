package dev.ferry.schema;

import dev.ferry.events.DeadLetter;
import dev.ferry.events.JobCommand;
import dev.ferry.events.LogChunk;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.RoutingDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Ferry's topics, typed: the one place that knows every topic's name, serdes, partitions and
 * cleanup policy (the table in DESIGN.md). Immutable; build one from configuration and share it.
 */
public final class Topics {
    public static final String POD_INTENTS = "pod-intents";
    public static final String POOLS = "pools";
    public static final String JOBS = "jobs.";
    public static final String POD_STATUS = "pod-status";
    public static final String DECISIONS = "decisions";
    public static final String POD_LOGS = "pod-logs";
    public static final String DEAD_LETTERS = "dead-letters";

    private final TopicsConfig config;
    private final Topic<String, PodIntent> podIntents;
    private final Topic<String, PoolAdvert> pools;
    private final Topic<String, PodStatusEvent> podStatus;
    private final Topic<String, RoutingDecision> decisions;
    private final Topic<String, LogChunk> podLogs;
    private final Topic<String, DeadLetter> deadLetters;
    private final Serde<JobCommand> jobCommandSerde;
    private final EventSerdes serdes;

    public Topics(TopicsConfig config, EventSerdes serdes) {
        this.config = Objects.requireNonNull(config, "config");
        this.serdes = Objects.requireNonNull(serdes, "serdes");
        Duration retention = config.retention();
        this.podIntents = topic(POD_INTENTS, serdes.value(PodIntent.class), CleanupPolicy.DELETE, Optional.of(retention));
        this.pools = topic(POOLS, serdes.value(PoolAdvert.class), CleanupPolicy.COMPACT, Optional.empty());
        this.podStatus = topic(POD_STATUS, serdes.value(PodStatusEvent.class), CleanupPolicy.DELETE, Optional.of(retention));
        this.decisions = topic(DECISIONS, serdes.value(RoutingDecision.class), CleanupPolicy.DELETE, Optional.of(retention));
        this.podLogs = topic(POD_LOGS, serdes.value(LogChunk.class), CleanupPolicy.DELETE, Optional.of(config.logsRetention()));
        this.deadLetters = topic(DEAD_LETTERS, new DeadLetterSerde(), CleanupPolicy.DELETE, Optional.of(config.deadLettersRetention()));
        this.jobCommandSerde = serdes.value(JobCommand.class);
    }

    public TopicsConfig config() {
        return config;
    }

    /** The serdes the topics were made with. */
    public EventSerdes serdes() {
        return serdes;
    }

    /** {@code pod-intents}: CREATE/DELETE from the gateway, key pod UID. */
    public Topic<String, PodIntent> podIntents() {
        return podIntents;
    }

    /** {@code pools}: compacted pool adverts from the executors, key pool id. */
    public Topic<String, PoolAdvert> pools() {
        return pools;
    }

    /** {@code jobs.<site>}: RUN/CANCEL for one site's executor only, key pod UID. */
    public Topic<String, JobCommand> jobs(String site) {
        return topic(JOBS + TopicsConfig.requireLegalSite(site), jobCommandSerde, CleanupPolicy.DELETE, Optional.of(config.retention()));
    }

    /** {@code pod-status}: status from the router and the executors, key pod UID. */
    public Topic<String, PodStatusEvent> podStatus() {
        return podStatus;
    }

    /** {@code decisions}: one routing decision per attempt, key pod UID. */
    public Topic<String, RoutingDecision> decisions() {
        return decisions;
    }

    /** {@code pod-logs}: container output, key pod UID, short retention. */
    public Topic<String, LogChunk> podLogs() {
        return podLogs;
    }

    /** {@code dead-letters}: records nobody could decode or process, key the original key. */
    public Topic<String, DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** Every topic Ferry needs for the given sites, in a stable order. */
    public List<Topic<?, ?>> all(Collection<String> sites) {
        List<Topic<?, ?>> all = new ArrayList<>(List.of(podIntents, pools, podStatus, decisions, podLogs, deadLetters));
        sites.stream().sorted().distinct().forEach(site -> all.add(jobs(site)));
        return List.copyOf(all);
    }

    private <V> Topic<String, V> topic(String suffix, Serde<V> valueSerde, CleanupPolicy cleanup, Optional<Duration> retention) {
        return new Topic<>(config.prefix() + suffix, Serdes.String(), valueSerde, config.partitions(),
                config.replicationFactor(), cleanup, retention);
    }
}
