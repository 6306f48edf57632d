package dev.ferry.router;

import dev.ferry.events.PodIntent;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code pod-intents} into {@link ReceivedIntent}s: the fields routing needs, and the intent as the router
 * carries it on. A record the gateway wrote with the router's own schema version is not decoded whole: routing's
 * fields are read from its Avro body ({@link IntentBytes#routing}, skipping the rest of the pod) and the body is
 * carried on as it is. Which records those are is known by the framing (the schema id) the registry serializer gives
 * the router's version on the topic, learned on first use ({@link WireFraming}) with a serializer that only looks the
 * schema up (the router does not register schemas under a topic it only reads). A record in another schema version,
 * or any record while the router's version is not registered there, is decoded by the registry deserializer and
 * encoded again.
 */
final class IntentDeserializer implements Deserializer<ReceivedIntent> {

    private static final Logger LOG = LoggerFactory.getLogger(IntentDeserializer.class);
    private static final long RETRY_NANOS = Duration.ofMinutes(1).toNanos();

    private final Deserializer<PodIntent> delegate;
    private final Serializer<PodIntent> serializer;
    private final ConcurrentMap<String, Optional<byte[]>> framings = new ConcurrentHashMap<>();
    private volatile long retryAt = Long.MIN_VALUE;

    IntentDeserializer(Deserializer<PodIntent> delegate, Serializer<PodIntent> serializer) {
        this.delegate = delegate;
        this.serializer = serializer;
    }

    @Override
    public ReceivedIntent deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
    }

    @Override
    public ReceivedIntent deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return null;
        }
        byte[] framing = framing(topic);
        if (framing != null && WireFraming.framedBy(data, framing)) {
            // the router's own schema version: read the routing fields from the body, carry the body as it is
            return new ReceivedIntent(IntentBytes.routing(data, framing.length), IntentBytes.fromBody(data, framing.length),
                    true);
        }
        PodIntent intent = headers == null ? delegate.deserialize(topic, data) : delegate.deserialize(topic, headers, data);
        if (intent == null) {
            return null;
        }
        byte[] carried = IntentBytes.encode(intent);
        return new ReceivedIntent(IntentBytes.routing(carried, IntentBytes.BODY_OFFSET), carried, false);
    }

    private byte[] framing(String topic) {
        Optional<byte[]> known = framings.get(topic);
        if (known != null) {
            return known.orElse(null);
        }
        if (retryAt != Long.MIN_VALUE && System.nanoTime() - retryAt < 0) {
            return null;
        }
        try {
            Optional<byte[]> learned = WireFraming.learn(serializer, topic, IntentBytes.SAMPLE);
            framings.put(topic, learned);
            if (learned.isEmpty()) {
                LOG.info("intents on {} are not in a wire format the router can pass on as read; it encodes them again",
                        topic);
            }
            return learned.orElse(null);
        } catch (RuntimeException e) {
            // the router's schema version is not registered under the topic (the gateway writes another version), or
            // the registry did not answer: read everything the slow way, and look again in a minute
            retryAt = System.nanoTime() + RETRY_NANOS;
            LOG.info("the router's schema version of PodIntent is not found under {} ({}); intents are encoded again, "
                    + "looking again in a minute", topic, e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
