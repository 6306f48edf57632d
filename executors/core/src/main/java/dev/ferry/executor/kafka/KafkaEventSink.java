package dev.ferry.executor.kafka;

import dev.ferry.events.LogChunk;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.executor.EventSink;
import dev.ferry.schema.Topic;
import dev.ferry.schema.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One idempotent producer ({@code acks=all}) for {@code pod-status}, {@code pod-logs} and
 * {@code pools}. Sends are asynchronous; {@link #flush()} waits for every acknowledgement and
 * throws if any send failed, so the runtime never commits past a status the broker does not have.
 */
public final class KafkaEventSink implements EventSink {

    private final KafkaProducer<String, byte[]> producer;
    private final Topic<String, PodStatusEvent> status;
    private final Topic<String, LogChunk> logs;
    private final Topic<String, PoolAdvert> pools;
    private final AtomicReference<Exception> failed = new AtomicReference<>();

    public KafkaEventSink(String bootstrapServers, Topics topics, String clientId, Map<String, Object> extraConfig) {
        Map<String, Object> config = new HashMap<>(extraConfig);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.status = topics.podStatus();
        this.logs = topics.podLogs();
        this.pools = topics.pools();
    }

    @Override
    public void status(PodStatusEvent event) {
        send(status, event.getPod().getUid(), event);
    }

    @Override
    public void log(LogChunk chunk) {
        send(logs, chunk.getPod().getUid(), chunk);
    }

    @Override
    public void pool(PoolAdvert advert) {
        send(pools, advert.getPoolId(), advert);
    }

    private <V> void send(Topic<String, V> topic, String key, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        producer.send(new ProducerRecord<>(topic.name(), key, bytes), (metadata, e) -> {
            if (e != null) {
                failed.compareAndSet(null, e);
            }
        });
    }

    @Override
    public void flush() {
        producer.flush();
        Exception e = failed.getAndSet(null);
        if (e != null) {
            throw new IllegalStateException("an event could not be stored in Kafka: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
