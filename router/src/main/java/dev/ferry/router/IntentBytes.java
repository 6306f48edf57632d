package dev.ferry.router;

import dev.ferry.events.IntentOperation;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodRef;
import dev.ferry.router.avro.RoutingIntent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A pod intent as the router carries it between its halves and keeps it in queues: Avro's single-object encoding
 * of the router's own {@link PodIntent} schema (two marker bytes, the schema's 8-byte fingerprint, then the Avro
 * binary body). The body is exactly what a registry serializer writes after its framing for the same schema, so an
 * intent read from {@code pod-intents} in the router's schema version is passed on by copying bytes
 * ({@link #fromBody}), and written into a RUN command the same way ({@link JobCommandSerializer}), instead of being
 * encoded again.
 */
final class IntentBytes {

    /** Where the Avro body starts: after the single-object header. */
    static final int BODY_OFFSET = 10;

    /** A minimal intent in the router's schema, for learning how a serializer frames it. */
    static final PodIntent SAMPLE = PodIntent.newBuilder()
            .setIntentId("ferry-router-sample/CREATE/0")
            .setOperation(IntentOperation.CREATE)
            .setPod(PodRef.newBuilder().setNamespace("default").setName("sample").setUid("ferry-router-sample").build())
            .setNodeName("ferry-router-sample")
            .setCreatedAt(Instant.EPOCH)
            .build();

    private static final byte[] HEADER = Arrays.copyOf(encode(SAMPLE), BODY_OFFSET);

    static {
        // intentId() reads the body's first field
        Schema.Field first = PodIntent.SCHEMA$.getFields().get(0);
        if (!first.name().equals("intentId") || first.schema().getType() != Schema.Type.STRING) {
            throw new ExceptionInInitializerError("PodIntent's first field is no longer the string intentId");
        }
    }

    /** Each thread's projecting reader (Avro resolves {@link RoutingIntent} against PodIntent by its aliases). */
    private static final ThreadLocal<Projection> PROJECTION = ThreadLocal.withInitial(Projection::new);

    private IntentBytes() {
    }

    static byte[] encode(PodIntent intent) {
        try {
            ByteBuffer buffer = PodIntent.getEncoder().encode(intent);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The fields routing reads ({@link RoutingIntent}, a projection of {@link PodIntent}) from an Avro body written
     * with the router's own schema, {@code source[offset..]}; the rest of the pod is skipped, not decoded.
     *
     * @throws SerializationException when the body is not such an intent
     */
    static RoutingIntent routing(byte[] source, int offset) {
        Projection projection = PROJECTION.get();
        try {
            projection.decoder = DecoderFactory.get().binaryDecoder(source, offset, source.length - offset,
                    projection.decoder);
            return projection.reader.read(null, projection.decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("not a PodIntent of the router's schema version: " + e, e);
        }
    }

    /** The fields routing reads from an intent as the router carries it. */
    static RoutingIntent routing(byte[] carried) {
        return ownSchema(carried) ? routing(carried, BODY_OFFSET) : routing(decode(carried));
    }

    /** The fields routing reads from a decoded intent. */
    static RoutingIntent routing(PodIntent intent) {
        return routing(encode(intent), BODY_OFFSET);
    }

    static PodIntent decode(byte[] bytes) {
        try {
            return PodIntent.getDecoder().decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The single-object encoding of an intent whose Avro body, written with the router's schema, is
     * {@code source[offset..]}.
     */
    static byte[] fromBody(byte[] source, int offset) {
        byte[] bytes = new byte[BODY_OFFSET + source.length - offset];
        System.arraycopy(HEADER, 0, bytes, 0, BODY_OFFSET);
        System.arraycopy(source, offset, bytes, BODY_OFFSET, source.length - offset);
        return bytes;
    }

    /** The intent's id (its first field), without decoding the rest. */
    static String intentId(byte[] bytes) {
        if (bytes.length < BODY_OFFSET || !Arrays.equals(bytes, 0, BODY_OFFSET, HEADER, 0, BODY_OFFSET)) {
            return decode(bytes).getIntentId(); // not the router's schema: decoding says what is wrong
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, BODY_OFFSET, bytes.length - BODY_OFFSET, null);
            return decoder.readString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code bytes} are a single-object encoding of the router's schema. */
    static boolean ownSchema(byte[] bytes) {
        return bytes.length >= BODY_OFFSET && Arrays.equals(bytes, 0, BODY_OFFSET, HEADER, 0, BODY_OFFSET);
    }

    private static final class Projection {
        final DatumReader<RoutingIntent> reader = new SpecificDatumReader<>(PodIntent.getClassSchema(),
                RoutingIntent.getClassSchema());
        BinaryDecoder decoder;
    }
}
