package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.DeadLetter;
import dev.ferry.events.DeadLetterReason;
import dev.ferry.router.testing.FixedIdAvroSerde;
import dev.ferry.schema.DeadLetterPublisher;
import dev.ferry.schema.DeadLetterSerde;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * What the handlers hand Kafka Streams to write. ({@code TopologyTestDriver} does not pass dead-letter records on,
 * so the topology tests only show that the router carries on; {@code RouterIT} reads them from a real broker.)
 */
class RouterErrorHandlersTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static Map<String, Object> configs(SerdeConfig serdes) {
        Topics topics = new Topics(TopicsConfig.defaults(), new EventSerdes(serdes));
        RouterConfig config = RouterConfig.defaults();
        return Map.of(RouterErrorHandlers.CONTEXT, new RouterErrorHandlers.Context(topics, RouterTopics.of(config, topics),
                "ferry-router", Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    private static ConsumerRecord<byte[], byte[]> raw(String topic, String key, byte[] value) {
        return new ConsumerRecord<>(topic, 2, 41, key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static DeadLetter letter(ProducerRecord<byte[], byte[]> record) {
        return new DeadLetterSerde().deserializer().deserialize(record.topic(), record.value());
    }

    @Test
    void anUndecodableIntentIsDeadLetteredAndItsPodIsTold() {
        RouterErrorHandlers.Deserialization handler = new RouterErrorHandlers.Deserialization();
        handler.configure(configs(FixedIdAvroSerde.config()));

        DeserializationExceptionHandler.Response response = handler.handleError(null,
                raw("ferry.pod-intents", "uid-1", new byte[] {1, 2, 3}), new SerializationException("bad"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).hasSize(2);
        ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
        assertThat(dead.topic()).isEqualTo("ferry.dead-letters");
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("uid-1");
        assertThat(new String(dead.headers().lastHeader(DeadLetterPublisher.HEADER_REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("NOT_AVRO");
        DeadLetter letter = letter(dead);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.NOT_AVRO);
        assertThat(letter.getSourceTopic()).isEqualTo("ferry.pod-intents");
        assertThat(letter.getPartition()).isEqualTo(2);
        assertThat(letter.getOffset()).isEqualTo(41);
        assertThat(letter.getPodUid()).isEqualTo("uid-1");
        assertThat(letter.getApplication()).isEqualTo("ferry-router");
        assertThat(letter.getFailedAt()).isEqualTo(NOW);
        assertThat(letter.getValue().array()).containsExactly(1, 2, 3);

        ProducerRecord<byte[], byte[]> notice = response.deadLetterQueueRecords().get(1);
        assertThat(notice.topic()).isEqualTo("ferry-router-pod-inbox");
        assertThat(RouterCodec.POD_MESSAGE.deserializer().deserialize(notice.topic(), notice.value()))
                .isInstanceOf(PodMessage.Undecodable.class)
                .hasToString("Undecodable[reason=NOT_AVRO: " + letter.getError() + "]");
    }

    @Test
    void anUndecodableStatusOrAdvertIsOnlyDeadLettered() {
        RouterErrorHandlers.Deserialization handler = new RouterErrorHandlers.Deserialization();
        handler.configure(configs(FixedIdAvroSerde.config()));

        var response = handler.handleError(null, raw("ferry.pod-status", "uid-1", new byte[] {0, 0, 0, 0, 99, 1}),
                new SerializationException("bad"));

        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(r -> assertThat(letter(r).getReason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA));
    }

    @Test
    void whenTheRegistryIsUnreachableTheRecordIsNotSkippedButReadAgain() {
        RouterErrorHandlers.Deserialization handler = new RouterErrorHandlers.Deserialization();
        handler.configure(configs(new SerdeConfig("http://registry.invalid", FixedIdAvroSerde.Ser.class.getName(),
                Unreachable.class.getName(), false, Map.of())));

        var response = handler.handleError(null, raw("ferry.pod-intents", "uid-1", new byte[] {0, 0, 0, 0, 1, 1}),
                new SerializationException("bad"));

        assertThat(response.result()).isEqualTo(DeserializationExceptionHandler.Result.FAIL);
        assertThat(response.deadLetterQueueRecords()).isEmpty();
    }

    @Test
    void aRecordWhoseProcessingFailsIsDeadLetteredAndTheRouterGoesOn() {
        RouterErrorHandlers.Processing handler = new RouterErrorHandlers.Processing();
        handler.configure(configs(FixedIdAvroSerde.config()));

        ProcessingExceptionHandler.Response response = handler.handleError(context("ferry-router-pool-inbox"),
                new Record<>("pool", "x", 0), new IllegalStateException("boom"));

        assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
        DeadLetter letter = letter(response.deadLetterQueueRecords().get(0));
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.PROCESSING_FAILED);
        assertThat(letter.getError()).isEqualTo("processor pool-keeper failed: java.lang.IllegalStateException: boom");
        assertThat(letter.getSourceTopic()).isEqualTo("ferry-router-pool-inbox");
        assertThat(letter.getErrorClass()).isEqualTo(IllegalStateException.class.getName());
    }

    /** A deserializer whose registry does not answer. */
    public static final class Unreachable implements Deserializer<Object> {
        @Override
        public Object deserialize(String topic, byte[] data) {
            throw new SerializationException("fetching schema", new ConnectException("Connection refused"));
        }
    }

    private static ErrorHandlerContext context(String topic) {
        return new ErrorHandlerContext() {
            public String topic() {
                return topic;
            }

            public int partition() {
                return 0;
            }

            public long offset() {
                return 5;
            }

            public Headers headers() {
                return new RecordHeaders();
            }

            public String processorNodeId() {
                return RouterTopology.POOL_KEEPER;
            }

            public TaskId taskId() {
                return new TaskId(1, 0);
            }

            public long timestamp() {
                return 0;
            }

            public byte[] sourceRawKey() {
                return "pool".getBytes(StandardCharsets.UTF_8);
            }

            public byte[] sourceRawValue() {
                return new byte[] {1, 13};
            }
        };
    }
}
