package dev.ferry.gateway;

import dev.ferry.events.PoolAdvert;
import dev.ferry.schema.Decoded;
import dev.ferry.schema.RecordDecoder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole compacted {@code pools} topic, from the beginning and then as it grows, into the gateway's
 * {@link dev.ferry.gateway.node.PoolCapacity}: the nodes show the sum of the READY pools. No consumer group: every
 * replica needs every pool. A tombstone removes a pool; a record that cannot be decoded goes to
 * {@code dead-letters}.
 */
final class PoolsFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PoolsFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Gateway gateway;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordDecoder<String, PoolAdvert> decoder;
    private final Thread thread;
    private volatile boolean running = true;

    PoolsFeed(Gateway gateway) {
        this.gateway = gateway;
        Map<String, Object> config = new HashMap<>(gateway.kafkaConfig());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "ferry-gateway-pools-" + gateway.config().gatewayId());
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.decoder = new RecordDecoder<>(gateway.topics().pools(), "ferry-gateway", gateway.clock());
        this.thread = new Thread(this::run, "ferry-gateway-pools");
        this.thread.setDaemon(true);
    }

    PoolsFeed start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            String topic = gateway.topics().pools().name();
            List<TopicPartition> partitions = List.of();
            while (running && partitions.isEmpty()) {
                // the topic may not exist yet (or Kafka may not answer): ask again
                partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                boolean changed = false;
                for (ConsumerRecord<byte[], byte[]> raw : consumer.poll(POLL)) {
                    changed |= handle(raw);
                }
                if (changed) {
                    gateway.poolsChanged();
                }
            }
        } catch (WakeupException stopping) {
            // close() was called
        } catch (RuntimeException e) {
            if (running) {
                LOG.error("The pools feed stopped: {}", e.toString(), e);
                gateway.failed(e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private boolean handle(ConsumerRecord<byte[], byte[]> raw) {
        if (raw.value() == null) {
            String poolId = raw.key() == null ? null : gateway.topics().pools().keySerde().deserializer()
                    .deserialize(raw.topic(), raw.key());
            if (poolId != null) {
                gateway.pools().remove(poolId);
                return true;
            }
            return false;
        }
        Decoded<String, PoolAdvert> decoded = decoder.decode(raw);
        if (decoded instanceof Decoded.Failed<String, PoolAdvert> failed) {
            gateway.deadLetters().publish(failed.deadLetter());
            return false;
        }
        return gateway.pools().update(((Decoded.Ok<String, PoolAdvert>) decoded).record().value());
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
