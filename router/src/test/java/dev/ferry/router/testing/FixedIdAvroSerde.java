package dev.ferry.router.testing;

import dev.ferry.events.DeadLetter;
import dev.ferry.events.JobCommand;
import dev.ferry.events.LogChunk;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.RoutingDecision;
import dev.ferry.schema.AvroModels;
import dev.ferry.schema.SerdeConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An in-process stand-in for the registry serde, for {@code TopologyTestDriver} tests only: the Confluent wire
 * format (magic byte 0, a 4-byte schema id, Avro binary) with fixed ids, one per Ferry event type, so bytes that
 * are not in the wire format are classified as they would be with the real registry. The {@code *IT} tests use
 * the real Apicurio registry.
 */
public final class FixedIdAvroSerde {

    static final List<Class<? extends SpecificRecord>> TYPES = List.of(PodIntent.class, PoolAdvert.class,
            JobCommand.class, PodStatusEvent.class, RoutingDecision.class, LogChunk.class, DeadLetter.class);

    static {
        AvroModels.registerLogicalTypes();
    }

    private FixedIdAvroSerde() {
    }

    /** Serde settings that select this serde instead of the registry's. */
    public static SerdeConfig config() {
        return new SerdeConfig("http://registry.invalid", Ser.class.getName(), De.class.getName(), false, Map.of());
    }

    /** Writes any Ferry event with its fixed id. */
    public static final class Ser implements Serializer<SpecificRecord> {
        @Override
        public byte[] serialize(String topic, SpecificRecord record) {
            if (record == null) {
                return null;
            }
            int id = TYPES.indexOf(record.getClass());
            if (id < 0) {
                throw new SerializationException("not a Ferry event: " + record.getClass());
            }
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(0);
                out.write(ByteBuffer.allocate(4).putInt(id + 1).array());
                BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                new SpecificDatumWriter<SpecificRecord>(record.getSchema()).write(record, encoder);
                encoder.flush();
                return out.toByteArray();
            } catch (IOException e) {
                throw new SerializationException(e);
            }
        }
    }

    /** Reads what {@link Ser} wrote. */
    public static final class De implements Deserializer<SpecificRecord> {
        @Override
        public SpecificRecord deserialize(String topic, byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            if (bytes.length < 5 || bytes[0] != 0) {
                throw new SerializationException("not in the wire format");
            }
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            if (id < 1 || id > TYPES.size()) {
                throw new SerializationException("schema " + id + " unknown", new NotFound());
            }
            Class<? extends SpecificRecord> type = TYPES.get(id - 1);
            try {
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
                return READERS.computeIfAbsent(type, De::reader).read(null, decoder);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot decode " + type.getSimpleName(), e);
            }
        }

        private static final Map<Class<?>, SpecificDatumReader<SpecificRecord>> READERS =
                new java.util.concurrent.ConcurrentHashMap<>();

        private static SpecificDatumReader<SpecificRecord> reader(Class<?> type) {
            try {
                return new SpecificDatumReader<>(((SpecificRecord) type.getDeclaredConstructor().newInstance()).getSchema());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Looks like the registry client's 404, which the decoder classifies as an unknown schema. */
    public static final class NotFound extends RuntimeException {
        public int getStatus() {
            return 404;
        }
    }
}
