package dev.ferry.router;

import dev.ferry.events.PodIntent;
import java.util.Objects;

/**
 * An intent as read from {@code pod-intents}: decoded, with the record's bytes.
 *
 * @param intent     the decoded intent
 * @param wire       the record's value as read
 * @param bodyOffset where the Avro body starts in {@code wire} when the writer used the router's own schema version,
 *                   else -1
 */
record ReceivedIntent(PodIntent intent, byte[] wire, int bodyOffset) {

    ReceivedIntent {
        Objects.requireNonNull(intent, "intent");
    }

    /** The intent as the router carries it ({@link IntentBytes}): copied when possible, else encoded. */
    byte[] carried() {
        return bodyOffset >= 0 ? IntentBytes.fromBody(wire, bodyOffset) : IntentBytes.encode(intent);
    }
}
