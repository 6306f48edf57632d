package dev.ferry.executor.kafka;

import dev.ferry.events.JobCommand;
import dev.ferry.executor.JobFeed;
import dev.ferry.schema.DeadLetterPublisher;
import dev.ferry.schema.RecordDecoder;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicReader;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code jobs.<site>} through a consumer group with manual commits; records that do not decode go
 * to {@code dead-letters} ({@link TopicReader}) and are never handed to the runtime.
 */
public final class KafkaJobFeed implements JobFeed {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicReader<String, JobCommand> reader;

    public KafkaJobFeed(String bootstrapServers, String groupId, Topic<String, JobCommand> topic, DeadLetterPublisher deadLetters,
                        Map<String, Object> extraConfig) {
        Map<String, Object> config = new HashMap<>(extraConfig);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.consumer.subscribe(List.of(topic.name()));
        this.reader = new TopicReader<>(consumer, new RecordDecoder<>(topic, groupId, Clock.systemUTC()), deadLetters);
    }

    @Override
    public List<Incoming> poll(Duration timeout) {
        return reader.poll(timeout).stream()
                .filter(r -> r.value() != null)
                .map(r -> new Incoming(new Position(r.topic(), r.partition(), r.offset()), r.value()))
                .toList();
    }

    @Override
    public void commit(List<Position> positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Position p : positions) {
            offsets.merge(new TopicPartition(p.topic(), p.partition()), new OffsetAndMetadata(p.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        consumer.commitSync(offsets);
    }

    @Override
    public void rewind(Position position) {
        try {
            consumer.seek(new TopicPartition(position.topic(), position.partition()), position.offset());
        } catch (IllegalStateException e) {
            // the partition moved to another executor in a rebalance: it reads on from the committed offset
        }
    }

    /** How many records went to dead-letters instead of to the runtime. */
    public long deadLettered() {
        return reader.deadLettered();
    }

    @Override
    public void close() {
        reader.close();
    }
}
