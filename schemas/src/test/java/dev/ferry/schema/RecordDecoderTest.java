package dev.ferry.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.DeadLetter;
import dev.ferry.events.DeadLetterReason;
import dev.ferry.events.PodIntent;
import dev.ferry.fixtures.Events;
import java.io.EOFException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.avro.AvroTypeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-02-03T04:05:06Z"), ZoneOffset.UTC);
    private final Topics topics = new Topics(TopicsConfig.defaults(), new EventSerdes(SerdeConfig.forRegistry("http://127.0.0.1:1")));

    @Test
    void bytesThatAreNotInTheWireFormatBecomeADeadLetterWithoutAskingTheRegistry() {
        RecordDecoder<String, PodIntent> decoder = new RecordDecoder<>(topics.podIntents(), "gateway-test", CLOCK);
        ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>("ferry.pod-intents", 2, 41,
                "uid-9".getBytes(StandardCharsets.UTF_8), "{\"json\":true}".getBytes(StandardCharsets.UTF_8));

        Decoded<String, PodIntent> decoded = decoder.decode(raw);

        assertThat(decoded).isInstanceOf(Decoded.Failed.class);
        DeadLetter letter = ((Decoded.Failed<String, PodIntent>) decoded).deadLetter();
        assertThat(letter.getSourceTopic()).isEqualTo("ferry.pod-intents");
        assertThat(letter.getPartition()).isEqualTo(2);
        assertThat(letter.getOffset()).isEqualTo(41);
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.NOT_AVRO);
        assertThat(letter.getError()).contains("magic byte 0").contains("7b226a73");
        assertThat(letter.getPodUid()).isEqualTo("uid-9");
        assertThat(letter.getApplication()).isEqualTo("gateway-test");
        assertThat(letter.getFailedAt()).isEqualTo(CLOCK.instant());
        assertThat(StandardCharsets.UTF_8.decode(letter.getValue()).toString()).isEqualTo("{\"json\":true}");
    }

    @Test
    void aTombstoneIsNotAnError() {
        RecordDecoder<String, PodIntent> decoder = new RecordDecoder<>(topics.podIntents(), "test", CLOCK);

        Decoded<String, PodIntent> decoded = decoder.decode(new ConsumerRecord<>("ferry.pod-intents", 0, 0,
                "uid".getBytes(StandardCharsets.UTF_8), null));

        assertThat(decoded).isInstanceOf(Decoded.Ok.class);
        assertThat(((Decoded.Ok<String, PodIntent>) decoded).record().value()).isNull();
    }

    @Test
    void failuresAreClassifiedByExceptionType() {
        assertThat(RecordDecoder.classify(new SerializationException("x", new ConnectException("refused"))))
                .isEqualTo(DeadLetterReason.REGISTRY_UNAVAILABLE);
        assertThat(RecordDecoder.classify(new SerializationException("x", new EOFException())))
                .isEqualTo(DeadLetterReason.INCOMPATIBLE_SCHEMA);
        assertThat(RecordDecoder.classify(new AvroTypeException("bad")))
                .isEqualTo(DeadLetterReason.INCOMPATIBLE_SCHEMA);
        assertThat(RecordDecoder.classify(new IllegalStateException("?")))
                .isEqualTo(DeadLetterReason.UNKNOWN);
    }

    @Test
    void deadLettersRoundTripWithoutARegistry() {
        DeadLetterSerde serde = new DeadLetterSerde();
        DeadLetter letter = Events.deadLetter("ferry.pod-status");

        byte[] bytes = serde.serializer().serialize("ferry.dead-letters", letter);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(serde.deserializer().deserialize("ferry.dead-letters", bytes)).isEqualTo(letter);
    }
}
