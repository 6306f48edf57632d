package dev.ferry.schema;

import dev.ferry.events.DeadLetter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Dead letters are written in Avro's single-object encoding (marker {@code C3 01}, the schema's
 * 64-bit fingerprint, Avro binary) rather than through the registry: a record is often
 * dead-lettered because the registry is down, and the dead letter must still be kept.
 */
public final class DeadLetterSerde implements Serde<DeadLetter> {
    static {
        AvroModels.registerLogicalTypes();
    }


    @Override
    public Serializer<DeadLetter> serializer() {
        return (topic, letter) -> {
            if (letter == null) {
                return null;
            }
            try {
                ByteBuffer buffer = DeadLetter.getEncoder().encode(letter);
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return bytes;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Override
    public Deserializer<DeadLetter> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return DeadLetter.getDecoder().decode(bytes);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("not a Ferry dead letter on " + topic + ": " + e.getMessage(), e);
            }
        };
    }
}
