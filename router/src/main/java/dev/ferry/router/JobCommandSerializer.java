package dev.ferry.router;

import dev.ferry.events.CommandType;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes the {@code jobs.<site>} topics: a {@link JobCommand} through the registry serializer; a {@link RunCommand}
 * by writing the registry's framing for the router's JobCommand schema on that topic ({@link WireFraming}), the
 * command's fields in Avro binary, and the intent's Avro body copied from the bytes the router carries. The result
 * is byte for byte what the registry serializer writes for the same command (the tests compare them); it only skips
 * decoding the pod and encoding it again. When the framing cannot be learned, or the intent is not in the router's
 * schema version, the command is decoded and serialized in full.
 */
final class JobCommandSerializer implements Serializer<Object> {

    /** The field layout the splice writes; checked against the compiled schema once. */
    private static final List<String> FIELDS = List.of("commandId", "type", "pod", "site", "poolId", "attempt", "intent",
            "reason", "issuedAt");
    private static final boolean SPLICEABLE = layoutAsExpected();
    private static final int RUN = JobCommand.SCHEMA$.getField("type").schema().getEnumOrdinal(CommandType.RUN.name());
    private static final JobCommand SAMPLE = new JobCommand("ferry-router-sample/run/0", CommandType.RUN,
            IntentBytes.SAMPLE.getPod(), "sample", "sample", 0, null, null, Instant.EPOCH);

    private final Serializer<JobCommand> delegate;
    private final WireFraming.PerTopic<JobCommand> framings;

    @SuppressWarnings("unchecked")
    JobCommandSerializer(Serializer<? extends JobCommand> delegate) {
        this.delegate = (Serializer<JobCommand>) delegate;
        this.framings = new WireFraming.PerTopic<>(this.delegate, SAMPLE);
    }

    @Override
    public byte[] serialize(String topic, Object value) {
        return serialize(topic, null, value);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, Object value) {
        if (value == null || value instanceof JobCommand) {
            return registry(topic, headers, (JobCommand) value);
        }
        if (!(value instanceof RunCommand run)) {
            throw new SerializationException("not a job command: " + value.getClass().getName());
        }
        byte[] framing = SPLICEABLE && IntentBytes.ownSchema(run.intent()) ? framings.on(topic) : null;
        if (framing == null) {
            return registry(topic, headers, run.toJobCommand());
        }
        return splice(framing, run);
    }

    private byte[] registry(String topic, Headers headers, JobCommand command) {
        return headers == null ? delegate.serialize(topic, command) : delegate.serialize(topic, headers, command);
    }

    /** The command in the layout of {@link #FIELDS}, the intent's body copied. */
    static byte[] splice(byte[] framing, RunCommand run) {
        byte[] intent = run.intent();
        ByteArrayOutputStream out = new ByteArrayOutputStream(framing.length + intent.length + 192);
        out.writeBytes(framing);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            encoder.writeString(run.commandId());
            encoder.writeEnum(RUN);
            encoder.writeString(run.pod().namespace()); // PodRef's fields, in its order
            encoder.writeString(run.pod().name());
            encoder.writeString(run.pod().uid());
            encoder.writeString(run.site());
            encoder.writeString(run.poolId());
            encoder.writeInt(run.attempt());
            encoder.writeIndex(1);
            encoder.writeFixed(intent, IntentBytes.BODY_OFFSET, intent.length - IntentBytes.BODY_OFFSET);
            if (run.reason() == null) {
                encoder.writeIndex(0);
            } else {
                encoder.writeIndex(1);
                encoder.writeString(run.reason());
            }
            encoder.writeLong(run.issuedAt());
            encoder.flush();
        } catch (IOException e) {
            throw new SerializationException("cannot write the RUN command " + run.commandId(), e);
        }
        return out.toByteArray();
    }

    /** True when JobCommand (and PodRef) are laid out as {@link #splice} writes them. */
    private static boolean layoutAsExpected() {
        Schema schema = JobCommand.SCHEMA$;
        List<String> names = schema.getFields().stream().map(Schema.Field::name).toList();
        List<String> pod = PodRef.SCHEMA$.getFields().stream().map(Schema.Field::name).toList();
        return names.equals(FIELDS)
                && pod.equals(List.of("namespace", "name", "uid"))
                && type(schema, "commandId") == Schema.Type.STRING
                && type(schema, "site") == Schema.Type.STRING
                && type(schema, "poolId") == Schema.Type.STRING
                && type(schema, "attempt") == Schema.Type.INT
                && type(schema, "issuedAt") == Schema.Type.LONG
                && union(schema, "intent", PodIntent.SCHEMA$.getType())
                && union(schema, "reason", Schema.Type.STRING);
    }

    private static Schema.Type type(Schema schema, String field) {
        return schema.getField(field).schema().getType();
    }

    /** A union of null (branch 0) and one type (branch 1). */
    private static boolean union(Schema schema, String field, Schema.Type second) {
        Schema s = schema.getField(field).schema();
        return s.getType() == Schema.Type.UNION && s.getTypes().size() == 2
                && s.getTypes().get(0).getType() == Schema.Type.NULL && s.getTypes().get(1).getType() == second
                && (second != Schema.Type.RECORD || s.getTypes().get(1).getFullName().equals(PodIntent.SCHEMA$.getFullName()));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
