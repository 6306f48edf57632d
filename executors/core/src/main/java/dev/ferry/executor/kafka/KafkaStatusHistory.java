package dev.ferry.executor.kafka;

import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.StatusSource;
import dev.ferry.executor.StatusHistory;
import dev.ferry.schema.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code pod-status} from {@code since} to its end with a group-less consumer and keeps,
 * per pod, the newest event an executor of the site wrote (by attempt, then sequence). Records
 * that do not decode are skipped and counted here (the gateway, the topic's reader, dead-letters them).
 */
public final class KafkaStatusHistory implements StatusHistory {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaStatusHistory.class);

    private final String bootstrapServers;
    private final Topic<String, PodStatusEvent> topic;
    private final Map<String, Object> extraConfig;
    private final Duration timeout;

    public KafkaStatusHistory(String bootstrapServers, Topic<String, PodStatusEvent> topic, Map<String, Object> extraConfig, Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.extraConfig = Map.copyOf(extraConfig);
        this.timeout = timeout;
    }

    @Override
    public Map<String, PodStatusEvent> lastBySite(String site, Instant since) {
        Map<String, Object> config = new HashMap<>(extraConfig);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, PodStatusEvent> last = new HashMap<>();
        long undecodable = 0;
        long read = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                return Map.of();
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(
                    partitions.stream().collect(Collectors.toMap(p -> p, p -> since.toEpochMilli())), timeout);
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp at = start.get(p);
                consumer.seek(p, at == null ? end.get(p) : at.offset());
            }
            Set<TopicPartition> remaining = new java.util.HashSet<>(partitions);
            remaining.removeIf(p -> consumer.position(p, timeout) >= end.get(p));
            var deserializer = topic.valueSerde().deserializer();
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading back " + topic.name() + " took longer than " + timeout
                            + "; partitions not read to the end: " + remaining);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    read++;
                    PodStatusEvent event;
                    try {
                        event = record.value() == null ? null : deserializer.deserialize(record.topic(), record.value());
                    } catch (RuntimeException e) {
                        undecodable++;
                        continue;
                    }
                    if (event == null || event.getSource() != StatusSource.EXECUTOR || !site.equals(event.getSite())) {
                        continue;
                    }
                    last.merge(event.getPod().getUid(), event, (a, b) -> newer(b, a) ? b : a);
                }
                remaining.removeIf(p -> consumer.position(p, timeout) >= end.get(p));
            }
        }
        LOG.info("read back {} status events of {} since {}: {} pods of site {}{}", read, topic.name(), since, last.size(), site,
                undecodable == 0 ? "" : " (" + undecodable + " undecodable, skipped)");
        return last;
    }

    private static boolean newer(PodStatusEvent a, PodStatusEvent b) {
        if (a.getAttempt() != b.getAttempt()) {
            return a.getAttempt() > b.getAttempt();
        }
        return a.getSequence() > b.getSequence();
    }
}
