package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.events.Candidate;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.PodRef;
import dev.ferry.events.RoutingDecision;
import dev.ferry.router.testing.FixedIdAvroSerde;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/** A decision written by hand ({@link DecisionSerializer}) must be exactly what the registry serializer writes. */
class DecisionSerializerTest {

    private static final String DECISIONS = "ferry.decisions";

    @SuppressWarnings({"unchecked", "rawtypes"})
    private final Serializer<RoutingDecision> registry = (Serializer) new FixedIdAvroSerde.Ser();

    private static RoutingDecision decision(DecisionOutcome outcome, String poolId, String site, String reason,
                                            List<Candidate> candidates) {
        return new RoutingDecision("uid-1/1/assigned/1", "intent-7", new PodRef("team-a", "train", "uid-1"), outcome,
                poolId, site, 3, reason, candidates, Instant.ofEpochMilli(1_700_000_000_123L));
    }

    @Test
    void theLayoutTheSerializerWritesIsTheCompiledSchemas() {
        assertThat(DecisionSerializer.layoutAsExpected()).isTrue();
    }

    @Test
    void everyOutcomeAndEveryShapeOfCandidateIsWrittenAsTheRegistryWritesIt() {
        DecisionSerializer decisions = new DecisionSerializer(registry);
        List<Candidate> candidates = List.of(
                new Candidate("site-a/cpu", "site-a", true, 0.75, List.of()),
                new Candidate("site-b/gpu", "site-b", true, 0.5, List.of("ranked below site-a/cpu by the spread policy")),
                new Candidate("site-c/big", "site-c", false, null, List.of("needs nvidia.com/gpu=2, pool offers 0",
                        "namespace team-a is not allowed (allowed: ops)")),
                new Candidate("sité-ü/≥", "site-ü", false, Double.NaN, List.of("ünïcödé: 1 µs ✓")));
        List<RoutingDecision> samples = new ArrayList<>();
        for (DecisionOutcome outcome : DecisionOutcome.values()) {
            samples.add(decision(outcome, "site-a/cpu", "site-a", "the pod fits", candidates));
        }
        samples.add(decision(DecisionOutcome.REJECTED, null, null, null, List.of()));
        samples.add(decision(DecisionOutcome.QUEUED, "site-a/cpu", null, "", candidates.subList(2, 3)));
        samples.add(new RoutingDecision("d", "", new PodRef("", "", "u"), DecisionOutcome.CANCELLED, null, "s", 0,
                "x".repeat(10_000), List.of(), Instant.ofEpochMilli(-1)));

        for (RoutingDecision d : samples) {
            byte[] written = decisions.serialize(DECISIONS, d);

            assertThat(written).as(d.toString()).isEqualTo(registry.serialize(DECISIONS, d));
            assertThat(new FixedIdAvroSerde.De().deserialize(DECISIONS, written)).isEqualTo(d);
        }
    }

    @Test
    void aSerializerThatDoesNotFrameAsExpectedIsUsedForEveryDecision() {
        List<RoutingDecision> seen = new ArrayList<>();
        Serializer<RoutingDecision> bare = (topic, d) -> {
            seen.add(d);
            return d == null ? null : WireFraming.avroBody(d); // e.g. schema ids in headers: no framing to learn
        };
        RoutingDecision d = decision(DecisionOutcome.ASSIGNED, "p", "s", "r", List.of());

        byte[] written = new DecisionSerializer(bare).serialize(DECISIONS, d);

        assertThat(written).isEqualTo(WireFraming.avroBody(d));
        assertThat(seen).last().isEqualTo(d);
    }

    @Test
    void aNullDecisionIsLeftToTheRegistrySerializer() {
        assertThat(new DecisionSerializer(registry).serialize(DECISIONS, null)).isNull();
    }

    @Test
    void aDecisionMissingARequiredFieldIsASerializationErrorNamingIt() {
        RoutingDecision broken = new RoutingDecision("uid-1/1/assigned/1", null, new PodRef("n", "p", "uid-1"),
                DecisionOutcome.ASSIGNED, "p", "s", 0, "r", List.of(), Instant.EPOCH);

        assertThatThrownBy(() -> new DecisionSerializer(registry).serialize(DECISIONS, broken))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("uid-1/1/assigned/1");
    }
}
