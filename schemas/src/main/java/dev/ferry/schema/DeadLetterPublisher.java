package dev.ferry.schema;

import dev.ferry.events.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes dead letters and waits until the broker has them, so the caller may commit the
 * source offset afterwards without losing anything. The original key is kept as the key; the
 * source and reason are also set as plain headers for tools that do not read Avro.
 */
public final class DeadLetterPublisher implements AutoCloseable {
    public static final String HEADER_SOURCE_TOPIC = "ferry.dead-letter.source-topic";
    public static final String HEADER_REASON = "ferry.dead-letter.reason";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);

    private final Producer<byte[], DeadLetter> producer;
    private final Topic<String, DeadLetter> topic;
    private final Duration timeout;

    public DeadLetterPublisher(Producer<byte[], DeadLetter> producer, Topic<String, DeadLetter> topic, Duration timeout) {
        this.producer = producer;
        this.topic = topic;
        this.timeout = timeout;
    }

    /** A publisher with its own idempotent producer. */
    public static DeadLetterPublisher create(String bootstrapServers, Topics topics, Map<String, Object> extraProducerConfig) {
        Map<String, Object> config = new HashMap<>(extraProducerConfig);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "ferry-dead-letters");
        Producer<byte[], DeadLetter> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                topics.deadLetters().valueSerde().serializer());
        return new DeadLetterPublisher(producer, topics.deadLetters(), Duration.ofSeconds(30));
    }

    /** Publishes and waits for the broker's acknowledgement; throws if it cannot be stored. */
    public void publish(DeadLetter letter) {
        ProducerRecord<byte[], DeadLetter> record = new ProducerRecord<>(topic.name(), null, bytes(letter.getKey()), letter);
        record.headers().add(HEADER_SOURCE_TOPIC, letter.getSourceTopic().getBytes(StandardCharsets.UTF_8));
        record.headers().add(HEADER_REASON, letter.getReason().name().getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.warn("dead-lettered {}-{}@{} ({}): {}", letter.getSourceTopic(), letter.getPartition(), letter.getOffset(),
                    letter.getReason(), letter.getError());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterException("interrupted while dead-lettering " + where(letter), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new DeadLetterException("cannot write dead letter for " + where(letter) + " to " + topic.name()
                    + "; the source offset is not committed, so the record will be read again", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private static String where(DeadLetter letter) {
        return letter.getSourceTopic() + "-" + letter.getPartition() + "@" + letter.getOffset();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** The dead letter could not be stored; the caller must not commit past the record. */
    public static final class DeadLetterException extends RuntimeException {
        public DeadLetterException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
