package dev.ferry.schema;

import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;

/**
 * Teaches Avro's shared data models about the logical types the events use.
 *
 * <p>Generated classes carry their own model, but a deserializer builds lists as
 * {@code GenericData.Array}, whose {@code equals} and {@code hashCode} use the global
 * {@code GenericData} model; without the conversion, comparing two events that hold an
 * optional timestamp inside a list fails with "Unknown datum type java.time.Instant".
 */
public final class AvroModels {
    private static volatile boolean registered;

    private AvroModels() {
    }

    /** Idempotent; called by every Ferry serde before it is used. */
    public static void registerLogicalTypes() {
        if (registered) {
            return;
        }
        synchronized (AvroModels.class) {
            if (!registered) {
                for (GenericData model : new GenericData[] {GenericData.get(), SpecificData.get()}) {
                    model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
                }
                registered = true;
            }
        }
    }
}
