package dev.ferry.schema;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one topic with a plain consumer and hands back only records that decoded; every record
 * that did not is written to {@code dead-letters} (and acknowledged by the broker) before
 * {@link #poll} returns, so committing afterwards never loses a record and one bad record never
 * stops the reader.
 */
public final class TopicReader<K, V> implements AutoCloseable {
    private final Consumer<byte[], byte[]> consumer;
    private final RecordDecoder<K, V> decoder;
    private final DeadLetterPublisher deadLetters;
    private long deadLettered;

    public TopicReader(Consumer<byte[], byte[]> consumer, RecordDecoder<K, V> decoder, DeadLetterPublisher deadLetters) {
        this.consumer = consumer;
        this.decoder = decoder;
        this.deadLetters = deadLetters;
    }

    /**
     * A reader in consumer group {@code groupId}, subscribed to {@code topic}, committing manually
     * (call {@link #commitSync()} after processing what {@link #poll} returned).
     */
    public static <K, V> TopicReader<K, V> subscribe(String bootstrapServers, String groupId, Topic<K, V> topic,
                                                     DeadLetterPublisher deadLetters, String application,
                                                     Map<String, Object> extraConsumerConfig) {
        Map<String, Object> config = new HashMap<>(extraConsumerConfig);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic.name()));
        return new TopicReader<>(consumer, new RecordDecoder<>(topic, application, Clock.systemUTC()), deadLetters);
    }

    /** Polls once; returns the records that decoded, in offset order per partition. */
    public List<ConsumerRecord<K, V>> poll(Duration timeout) {
        List<ConsumerRecord<K, V>> decoded = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> raw : consumer.poll(timeout)) {
            Decoded<K, V> result = decoder.decode(raw);
            if (result instanceof Decoded.Ok<K, V> ok) {
                decoded.add(ok.record());
            } else if (result instanceof Decoded.Failed<K, V> failed) {
                deadLetters.publish(failed.deadLetter());
                deadLettered++;
            }
        }
        return decoded;
    }

    public void commitSync() {
        consumer.commitSync();
    }

    /** How many records this reader has sent to dead-letters. */
    public long deadLettered() {
        return deadLettered;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
