package dev.ferry.router;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What a registry serializer writes before the Avro body of a record in the router's own schema version on one
 * topic: with the Confluent wire format, the magic byte 0 and the 4-byte schema id. Learned by serializing a sample
 * and finding the sample's Avro body at the end of the result; when the serializer frames otherwise (the schema id in
 * record headers, another encoding), nothing is learned and the router serializes every record in full.
 */
final class WireFraming {

    private WireFraming() {
    }

    /**
     * The framing {@code serializer} puts before records of {@code sample}'s schema on {@code topic}; empty when its
     * output is not a framing followed by the Avro body. Registers the schema if the serializer does so on first use.
     */
    static <T extends SpecificRecord> Optional<byte[]> learn(Serializer<T> serializer, String topic, T sample) {
        byte[] framed = serializer.serialize(topic, sample);
        byte[] body = avroBody(sample);
        int prefix = framed == null ? -1 : framed.length - body.length;
        if (prefix <= 0 || !Arrays.equals(framed, prefix, framed.length, body, 0, body.length)) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOf(framed, prefix));
    }

    /** True when {@code bytes} begin with {@code framing}. */
    static boolean framedBy(byte[] bytes, byte[] framing) {
        return bytes != null && bytes.length >= framing.length
                && Arrays.equals(bytes, 0, framing.length, framing, 0, framing.length);
    }

    /** The record's Avro binary encoding, no framing. */
    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> byte[] avroBody(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<T>((Class<T>) record.getClass()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + record.getClass().getSimpleName(), e);
        }
    }

    /**
     * The framing a registry serializer puts before records of one schema, learned once per topic (with {@link #learn})
     * and remembered, including that there is none. Safe to share between stream threads.
     */
    static final class PerTopic<T extends SpecificRecord> {
        private final Serializer<T> serializer;
        private final T sample;
        private final ConcurrentMap<String, Optional<byte[]>> framings = new ConcurrentHashMap<>();

        PerTopic(Serializer<T> serializer, T sample) {
            this.serializer = serializer;
            this.sample = sample;
        }

        /** The framing on {@code topic}; null when the serializer does not frame records that way. */
        byte[] on(String topic) {
            return framings.computeIfAbsent(topic, t -> learn(serializer, t, sample)).orElse(null);
        }
    }
}
