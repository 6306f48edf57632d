package dev.ferry.router;

import dev.ferry.router.avro.RoutingIntent;
import java.util.Objects;

/**
 * An intent as read from {@code pod-intents}: what routing reads of it, and the intent as the router carries it on
 * ({@link IntentBytes}).
 *
 * @param intent  the fields routing reads
 * @param carried the whole intent in Avro single-object encoding
 * @param asRead  true when {@code carried} holds the gateway's bytes as read (it wrote the router's schema version),
 *                false when the intent was decoded whole and encoded again
 */
record ReceivedIntent(RoutingIntent intent, byte[] carried, boolean asRead) {

    ReceivedIntent {
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(carried, "carried");
    }
}
