package dev.ferry.router;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads topics from the beginning with {@code isolation.level=read_committed} on a background thread, keeping
 * every record (and handing each to an optional callback): what the router's downstream sees.
 */
final class Collector<V> implements AutoCloseable {

    private final KafkaConsumer<String, V> consumer;
    private final List<ConsumerRecord<String, V>> records = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Collector(String bootstrapServers, List<String> topics, Deserializer<V> values, Consumer<ConsumerRecord<String, V>> callback) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000),
                new StringDeserializer(), values);
        consumer.assign(topics.stream().flatMap(t -> consumer.partitionsFor(t, Duration.ofSeconds(30)).stream()
                .map(p -> new org.apache.kafka.common.TopicPartition(t, p.partition()))).toList());
        this.thread = new Thread(() -> {
            try {
                while (running) {
                    for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(100))) {
                        records.add(record);
                        if (callback != null) {
                            callback.accept(record);
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
            }
        }, "collector-" + topics);
        thread.setDaemon(true);
        thread.start();
    }

    Collector(String bootstrapServers, List<String> topics, Deserializer<V> values) {
        this(bootstrapServers, topics, values, null);
    }

    List<ConsumerRecord<String, V>> records() {
        return List.copyOf(records);
    }

    List<V> values() {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
