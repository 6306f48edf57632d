package dev.ferry.router;

import dev.ferry.events.DeadLetter;
import dev.ferry.events.DeadLetterReason;
import dev.ferry.schema.DeadLetterPublisher;
import dev.ferry.schema.Decoded;
import dev.ferry.schema.RecordDecoder;
import dev.ferry.schema.Topic;
import dev.ferry.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's Kafka Streams error handlers: nothing is skipped silently, and one bad record does not stop the
 * router.
 * <ul>
 *   <li>{@link Deserialization}: a record that cannot be decoded becomes a {@link DeadLetter} on
 *       {@code dead-letters} (classified by {@link RecordDecoder}: NOT_AVRO, UNKNOWN_SCHEMA, INCOMPATIBLE_SCHEMA),
 *       written through Kafka Streams' dead-letter-queue response, so it is part of the same transaction as the
 *       offset that skips it. An undecodable intent also tells its pod's routing task, which rejects the pod with a
 *       Failed status (when the pod is not known otherwise). When the schema registry is unreachable the record is
 *       not skipped: the handler fails, the stream thread is replaced and reads the record again later.</li>
 *   <li>{@link Processing}: a record whose processing threw (a bug, not bad input, which is rejected as a pod
 *       status) is dead-lettered as PROCESSING_FAILED and the router goes on.</li>
 * </ul>
 * Both find Ferry's topics through the {@link Context} that {@link RouterApp#streamsProperties} puts under
 * {@link #CONTEXT}.
 */
public final class RouterErrorHandlers {

    /** The Streams setting under which the handlers find their {@link Context}. */
    public static final String CONTEXT = "ferry.router.error-context";

    private static final Logger LOG = LoggerFactory.getLogger(RouterErrorHandlers.class);

    private RouterErrorHandlers() {
    }

    /**
     * What the handlers need.
     *
     * @param topics      Ferry's topics
     * @param own         the router's own topics
     * @param application the application id, recorded in dead letters
     * @param clock       stamps dead letters
     */
    public record Context(Topics topics, RouterTopics own, String application, Clock clock) {
        public Context {
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(own, "own");
            Objects.requireNonNull(application, "application");
            Objects.requireNonNull(clock, "clock");
        }

        /** The dead letter for a raw record that does not decode, or empty when it decodes after all. */
        Optional<DeadLetter> deadLetter(ConsumerRecord<byte[], byte[]> raw, Exception error) {
            Topic<?, ?> ferryTopic = ferryTopic(raw.topic());
            if (ferryTopic == null) {
                return Optional.of(new RecordDecoder<>(own.poolInbox(), application, clock).processingFailed(raw,
                        "router record cannot be decoded: " + error.getMessage(), error));
            }
            Decoded<?, ?> decoded = new RecordDecoder<>(ferryTopic, application, clock).decode(raw);
            return decoded instanceof Decoded.Failed<?, ?> failed ? Optional.of(failed.deadLetter()) : Optional.empty();
        }

        private Topic<?, ?> ferryTopic(String name) {
            for (Topic<?, ?> t : List.of(topics.podIntents(), topics.podStatus(), topics.pools())) {
                if (t.name().equals(name)) {
                    return t;
                }
            }
            return null;
        }

        ProducerRecord<byte[], byte[]> deadLetterRecord(DeadLetter letter, byte[] key) {
            byte[] value = topics.deadLetters().valueSerde().serializer().serialize(topics.deadLetters().name(), letter);
            RecordHeaders headers = new RecordHeaders();
            headers.add(DeadLetterPublisher.HEADER_SOURCE_TOPIC, letter.getSourceTopic().getBytes(StandardCharsets.UTF_8));
            headers.add(DeadLetterPublisher.HEADER_REASON, letter.getReason().name().getBytes(StandardCharsets.UTF_8));
            return new ProducerRecord<>(topics.deadLetters().name(), null, key, value, headers);
        }

        static Context from(Map<String, ?> configs) {
            Object context = configs.get(CONTEXT);
            if (!(context instanceof Context c)) {
                throw new IllegalStateException(CONTEXT + " must hold a RouterErrorHandlers.Context, was " + context
                        + "; build the Streams settings with RouterApp.streamsProperties");
            }
            return c;
        }
    }

    /** Dead-letters records that cannot be decoded; see {@link RouterErrorHandlers}. */
    public static final class Deserialization implements DeserializationExceptionHandler {
        private Context context;

        @Override
        public void configure(Map<String, ?> configs) {
            context = Context.from(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext handlerContext, ConsumerRecord<byte[], byte[]> record,
                                    Exception exception) {
            Optional<DeadLetter> letter = context.deadLetter(record, exception);
            if (letter.isEmpty()) {
                // it decodes now (the registry answered this time): read it again rather than lose it
                LOG.warn("{}-{}@{} failed to decode, then decoded; reading it again", record.topic(), record.partition(),
                        record.offset());
                return Response.fail();
            }
            DeadLetter deadLetter = letter.get();
            if (deadLetter.getReason() == DeadLetterReason.REGISTRY_UNAVAILABLE) {
                LOG.error("schema registry unreachable while decoding {}-{}@{}; the stream thread stops and will read "
                        + "it again: {}", record.topic(), record.partition(), record.offset(), deadLetter.getError());
                return Response.fail();
            }
            LOG.warn("dead-lettering {}-{}@{} ({}): {}", record.topic(), record.partition(), record.offset(),
                    deadLetter.getReason(), deadLetter.getError());
            List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
            out.add(context.deadLetterRecord(deadLetter, record.key()));
            if (record.topic().equals(context.topics().podIntents().name()) && record.key() != null) {
                byte[] notice = context.own().podInbox().valueSerde().serializer().serialize(context.own().podInbox().name(),
                        new PodMessage.Undecodable(deadLetter.getReason() + ": " + deadLetter.getError()));
                out.add(new ProducerRecord<>(context.own().podInbox().name(), null, record.key(), notice));
            }
            return Response.resume(out);
        }
    }

    /** Dead-letters records whose processing threw; see {@link RouterErrorHandlers}. */
    public static final class Processing implements ProcessingExceptionHandler {
        private Context context;

        @Override
        public void configure(Map<String, ?> configs) {
            context = Context.from(configs);
        }

        @Override
        public Response handleError(ErrorHandlerContext handlerContext, Record<?, ?> record, Exception exception) {
            if (handlerContext.topic() == null) {
                LOG.error("processor {} failed outside of a record (punctuation); going on",
                        handlerContext.processorNodeId(), exception);
                return Response.resume();
            }
            ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>(handlerContext.topic(), handlerContext.partition(),
                    handlerContext.offset(), handlerContext.timestamp(), TimestampType.CREATE_TIME, -1, -1,
                    handlerContext.sourceRawKey(), handlerContext.sourceRawValue(), handlerContext.headers(), Optional.empty());
            DeadLetter letter = new RecordDecoder<>(context.own().poolInbox(), context.application(), context.clock())
                    .processingFailed(raw, "processor " + handlerContext.processorNodeId() + " failed: " + exception, exception);
            LOG.error("dead-lettering {}-{}@{}: processor {} failed", raw.topic(), raw.partition(), raw.offset(),
                    handlerContext.processorNodeId(), exception);
            return Response.resume(List.of(context.deadLetterRecord(letter, raw.key())));
        }
    }
}
