package dev.ferry.schema;

import dev.ferry.events.DeadLetter;
import dev.ferry.events.DeadLetterReason;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.AvroRuntimeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Decodes raw records of one topic with the topic's serdes. A record that cannot be decoded is
 * never dropped: it becomes a {@link DeadLetter} carrying the source topic, partition, offset,
 * the original bytes and a classified reason.
 */
public final class RecordDecoder<K, V> {
    /** First byte of the Confluent wire format; then a 4-byte schema id, then Avro binary. */
    static final byte MAGIC_BYTE = 0;
    static final int WIRE_HEADER_LENGTH = 5;

    private final Topic<K, V> topic;
    private final String application;
    private final Clock clock;
    private final boolean registryWireFormat;

    public RecordDecoder(Topic<K, V> topic, String application, Clock clock) {
        this.topic = topic;
        this.application = application;
        this.clock = clock;
        this.registryWireFormat = !(topic.valueSerde() instanceof DeadLetterSerde);
    }

    public Topic<K, V> topic() {
        return topic;
    }

    public Decoded<K, V> decode(ConsumerRecord<byte[], byte[]> raw) {
        K key;
        try {
            key = topic.keySerde().deserializer().deserialize(raw.topic(), raw.headers(), raw.key());
        } catch (RuntimeException e) {
            return failed(raw, DeadLetterReason.PROCESSING_FAILED, "key cannot be decoded: " + describe(e), e);
        }
        byte[] value = raw.value();
        if (value != null && registryWireFormat && (value.length < WIRE_HEADER_LENGTH || value[0] != MAGIC_BYTE)) {
            return failed(raw, DeadLetterReason.NOT_AVRO, "value is not in the schema-registry wire format "
                    + "(expected magic byte 0 and a 4-byte schema id, got " + preview(value) + ")", null);
        }
        V decoded;
        try {
            decoded = topic.valueSerde().deserializer().deserialize(raw.topic(), raw.headers(), value);
        } catch (RuntimeException e) {
            DeadLetterReason reason = classify(e);
            String message = switch (reason) {
                case REGISTRY_UNAVAILABLE -> "schema registry unreachable while decoding schema id " + schemaId(value) + ": " + describe(e);
                case UNKNOWN_SCHEMA -> "schema id " + schemaId(value) + " is unknown to the registry: " + describe(e);
                case INCOMPATIBLE_SCHEMA -> "value does not match its schema (id " + schemaId(value) + "): " + describe(e);
                default -> "value cannot be decoded: " + describe(e);
            };
            return failed(raw, reason, message, e);
        }
        ConsumerRecord<K, V> record = new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(),
                raw.timestampType(), raw.serializedKeySize(), raw.serializedValueSize(), key, decoded, raw.headers(),
                raw.leaderEpoch());
        return new Decoded.Ok<>(raw, record);
    }

    /** Builds a dead letter for a record that was decoded but could not be processed. */
    public DeadLetter processingFailed(ConsumerRecord<byte[], byte[]> raw, String error, Throwable cause) {
        return deadLetter(raw, DeadLetterReason.PROCESSING_FAILED, error, cause);
    }

    private Decoded<K, V> failed(ConsumerRecord<byte[], byte[]> raw, DeadLetterReason reason, String error, Throwable cause) {
        return new Decoded.Failed<>(raw, deadLetter(raw, reason, error, cause));
    }

    private DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> raw, DeadLetterReason reason, String error, Throwable cause) {
        Map<String, ByteBuffer> headers = new LinkedHashMap<>();
        for (Header header : raw.headers()) {
            headers.put(header.key(), header.value() == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(header.value()));
        }
        return DeadLetter.newBuilder()
                .setSourceTopic(raw.topic())
                .setPartition(raw.partition())
                .setOffset(raw.offset())
                .setKey(raw.key() == null ? null : ByteBuffer.wrap(raw.key()))
                .setValue(raw.value() == null ? null : ByteBuffer.wrap(raw.value()))
                .setHeaders(headers)
                .setError(error)
                .setErrorClass(cause == null ? null : rootCause(cause).getClass().getName())
                .setReason(reason)
                .setApplication(application)
                .setPodUid(podUid(raw))
                .setFailedAt(clock.instant())
                .build();
    }

    /** Decides from the exception types (never from message text) why decoding failed. */
    static DeadLetterReason classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpTimeoutException
                    || t instanceof java.net.SocketTimeoutException || t instanceof java.nio.channels.UnresolvedAddressException
                    || t instanceof java.net.UnknownHostException || isVertxConnectFailure(t)) {
                return DeadLetterReason.REGISTRY_UNAVAILABLE;
            }
            if (isNotFound(t)) {
                return DeadLetterReason.UNKNOWN_SCHEMA;
            }
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EOFException || t instanceof AvroRuntimeException || t instanceof ArrayIndexOutOfBoundsException
                    || t instanceof IndexOutOfBoundsException) {
                return DeadLetterReason.INCOMPATIBLE_SCHEMA;
            }
        }
        return DeadLetterReason.UNKNOWN;
    }

    private static boolean isVertxConnectFailure(Throwable t) {
        String name = t.getClass().getName();
        return name.equals("io.netty.channel.ConnectTimeoutException")
                || name.startsWith("io.netty.channel.AbstractChannel$AnnotatedConnectException")
                || name.equals("io.vertx.core.http.ConnectionPoolTooBusyException");
    }

    /** Apicurio's client reports HTTP errors as ProblemDetails with a status; 404 means the id is unknown. */
    private static boolean isNotFound(Throwable t) {
        try {
            var method = t.getClass().getMethod("getStatus");
            Object status = method.invoke(t);
            return status instanceof Number n && n.intValue() == 404;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String describe(Throwable e) {
        Throwable root = rootCause(e);
        String top = e.getClass().getSimpleName() + ": " + e.getMessage();
        return root == e ? top : top + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    private static String schemaId(byte[] value) {
        if (value == null || value.length < WIRE_HEADER_LENGTH) {
            return "?";
        }
        return Integer.toString(ByteBuffer.wrap(value, 1, 4).getInt());
    }

    private static String preview(byte[] value) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, value.length); i++) {
            hex.append(String.format("%02x", value[i]));
        }
        return value.length + " bytes starting " + (hex.length() == 0 ? "(empty)" : hex);
    }

    /** Per-pod topics are keyed by pod UID; that is how a dead letter finds its pod. */
    private static String podUid(ConsumerRecord<byte[], byte[]> raw) {
        return Optional.ofNullable(raw.key())
                .map(k -> new String(k, java.nio.charset.StandardCharsets.UTF_8))
                .filter(k -> !raw.topic().endsWith(Topics.POOLS))
                .orElse(null);
    }
}
