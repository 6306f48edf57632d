package dev.ferry.schema;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;

/**
 * One Kafka topic with everything needed to read, write and create it.
 *
 * @param name           full topic name, prefix included
 * @param keySerde       serde of the record keys
 * @param valueSerde     serde of the record values
 * @param partitions     partition count used when the topic is created
 * @param replicationFactor replication factor used when the topic is created; empty means the broker default
 * @param cleanupPolicy  delete or compact
 * @param retention      how long records are kept; empty means the broker default
 */
public record Topic<K, V>(
        String name,
        Serde<K> keySerde,
        Serde<V> valueSerde,
        int partitions,
        Optional<Short> replicationFactor,
        CleanupPolicy cleanupPolicy,
        Optional<Duration> retention) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        Objects.requireNonNull(replicationFactor, "replicationFactor");
        Objects.requireNonNull(cleanupPolicy, "cleanupPolicy");
        Objects.requireNonNull(retention, "retention");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be at least 1, was " + partitions);
        }
    }

    /** The topic-level configs Ferry sets when it creates or updates this topic. */
    public Map<String, String> configs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", cleanupPolicy.configValue());
        retention.ifPresent(r -> configs.put("retention.ms", Long.toString(r.toMillis())));
        return configs;
    }

    @Override
    public String toString() {
        return name;
    }
}
