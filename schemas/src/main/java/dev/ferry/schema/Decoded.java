package dev.ferry.schema;

import dev.ferry.events.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The outcome of decoding one raw record: the typed record, or the dead letter that replaces it. */
public sealed interface Decoded<K, V> permits Decoded.Ok, Decoded.Failed {

    /** The raw record as it came off the topic. */
    ConsumerRecord<byte[], byte[]> raw();

    record Ok<K, V>(ConsumerRecord<byte[], byte[]> raw, ConsumerRecord<K, V> record) implements Decoded<K, V> {
    }

    record Failed<K, V>(ConsumerRecord<byte[], byte[]> raw, DeadLetter deadLetter) implements Decoded<K, V> {
    }
}
