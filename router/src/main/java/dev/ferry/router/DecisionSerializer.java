package dev.ferry.router;

import dev.ferry.events.Candidate;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.PodRef;
import dev.ferry.events.RoutingDecision;
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
 * Writes the {@code decisions} topic: the registry's framing for the router's RoutingDecision schema on that topic
 * ({@link WireFraming}), then the decision's fields in Avro binary, written in order by hand. The result is byte for
 * byte what the registry serializer writes (the tests compare them); Avro's generic writer looks every field,
 * logical type and union branch up again for each record, which cost a twentieth of the stream thread with one
 * decision per intent (RouterBenchmark's profile). When the framing cannot be learned, or the compiled schema is not
 * laid out as this class writes it, every decision goes through the registry serializer.
 */
final class DecisionSerializer implements Serializer<RoutingDecision> {

    /** The field layouts {@link #write} follows; checked against the compiled schemas once. */
    private static final List<String> FIELDS = List.of("decisionId", "intentId", "pod", "outcome", "poolId", "site",
            "attempt", "reason", "candidates", "decidedAt");
    private static final List<String> CANDIDATE_FIELDS = List.of("poolId", "site", "eligible", "score", "reasons");
    private static final boolean WRITABLE = layoutAsExpected();
    /** The schema's ordinal of each {@link DecisionOutcome}, by the Java ordinal. */
    private static final int[] OUTCOMES = outcomeOrdinals();
    private static final RoutingDecision SAMPLE = new RoutingDecision("ferry-router-sample/0", "",
            IntentBytes.SAMPLE.getPod(), DecisionOutcome.UNKNOWN, null, null, 0, null, List.of(), Instant.EPOCH);

    private final Serializer<RoutingDecision> delegate;
    private final WireFraming.PerTopic<RoutingDecision> framings;

    @SuppressWarnings("unchecked")
    DecisionSerializer(Serializer<? extends RoutingDecision> delegate) {
        this.delegate = (Serializer<RoutingDecision>) delegate;
        this.framings = new WireFraming.PerTopic<>(this.delegate, SAMPLE);
    }

    @Override
    public byte[] serialize(String topic, RoutingDecision decision) {
        return serialize(topic, null, decision);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, RoutingDecision decision) {
        byte[] framing = decision != null && WRITABLE ? framings.on(topic) : null;
        if (framing == null) {
            return headers == null ? delegate.serialize(topic, decision) : delegate.serialize(topic, headers, decision);
        }
        return write(framing, decision);
    }

    /** The framing, then the decision in the layout of {@link #FIELDS} (as Avro's writer orders its calls). */
    static byte[] write(byte[] framing, RoutingDecision d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(framing.length + 512);
        out.writeBytes(framing);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            encoder.writeString(d.getDecisionId());
            encoder.writeString(d.getIntentId());
            PodRef pod = d.getPod();
            encoder.writeString(pod.getNamespace());
            encoder.writeString(pod.getName());
            encoder.writeString(pod.getUid());
            encoder.writeEnum(OUTCOMES[d.getOutcome().ordinal()]);
            optional(encoder, d.getPoolId());
            optional(encoder, d.getSite());
            encoder.writeInt(d.getAttempt());
            optional(encoder, d.getReason());
            List<Candidate> candidates = d.getCandidates();
            encoder.writeArrayStart();
            encoder.setItemCount(candidates.size());
            for (Candidate c : candidates) {
                encoder.startItem();
                encoder.writeString(c.getPoolId());
                encoder.writeString(c.getSite());
                encoder.writeBoolean(c.getEligible());
                if (c.getScore() == null) {
                    encoder.writeIndex(0);
                } else {
                    encoder.writeIndex(1);
                    encoder.writeDouble(c.getScore());
                }
                List<String> reasons = c.getReasons();
                encoder.writeArrayStart();
                encoder.setItemCount(reasons.size());
                for (String reason : reasons) {
                    encoder.startItem();
                    encoder.writeString(reason);
                }
                encoder.writeArrayEnd();
            }
            encoder.writeArrayEnd();
            encoder.writeLong(d.getDecidedAt().toEpochMilli());
            encoder.flush();
        } catch (IOException | NullPointerException e) {
            // a null where the schema has none is the registry serializer's error too: say which decision
            throw new SerializationException("cannot write the routing decision " + d.getDecisionId(), e);
        }
        return out.toByteArray();
    }

    private static void optional(BinaryEncoder encoder, String value) throws IOException {
        if (value == null) {
            encoder.writeIndex(0);
        } else {
            encoder.writeIndex(1);
            encoder.writeString(value);
        }
    }

    /** True when RoutingDecision, PodRef and Candidate are laid out as {@link #write} writes them. */
    static boolean layoutAsExpected() {
        Schema schema = RoutingDecision.SCHEMA$;
        Schema candidates = schema.getField("candidates") == null ? null : schema.getField("candidates").schema();
        Schema candidate = Candidate.SCHEMA$;
        return names(schema).equals(FIELDS)
                && names(PodRef.SCHEMA$).equals(List.of("namespace", "name", "uid"))
                && names(candidate).equals(CANDIDATE_FIELDS)
                && type(schema, "decisionId") == Schema.Type.STRING
                && type(schema, "intentId") == Schema.Type.STRING
                && type(schema, "outcome") == Schema.Type.ENUM
                && optional(schema, "poolId", Schema.Type.STRING)
                && optional(schema, "site", Schema.Type.STRING)
                && type(schema, "attempt") == Schema.Type.INT
                && optional(schema, "reason", Schema.Type.STRING)
                && candidates.getType() == Schema.Type.ARRAY
                && candidates.getElementType().getFullName().equals(candidate.getFullName())
                && type(schema, "decidedAt") == Schema.Type.LONG
                && type(candidate, "poolId") == Schema.Type.STRING
                && type(candidate, "site") == Schema.Type.STRING
                && type(candidate, "eligible") == Schema.Type.BOOLEAN
                && optional(candidate, "score", Schema.Type.DOUBLE)
                && type(candidate, "reasons") == Schema.Type.ARRAY
                && candidate.getField("reasons").schema().getElementType().getType() == Schema.Type.STRING;
    }

    private static List<String> names(Schema record) {
        return record.getFields().stream().map(Schema.Field::name).toList();
    }

    private static Schema.Type type(Schema record, String field) {
        return record.getField(field).schema().getType();
    }

    /** A union of null (branch 0) and one type (branch 1). */
    private static boolean optional(Schema record, String field, Schema.Type second) {
        Schema s = record.getField(field).schema();
        return s.getType() == Schema.Type.UNION && s.getTypes().size() == 2
                && s.getTypes().get(0).getType() == Schema.Type.NULL && s.getTypes().get(1).getType() == second;
    }

    private static int[] outcomeOrdinals() {
        Schema outcome = RoutingDecision.SCHEMA$.getField("outcome").schema();
        DecisionOutcome[] values = DecisionOutcome.values();
        int[] ordinals = new int[values.length];
        for (DecisionOutcome value : values) {
            ordinals[value.ordinal()] = outcome.getEnumOrdinal(value.name());
        }
        return ordinals;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
