package dev.ferry.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.Candidate;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.PodRef;
import dev.ferry.events.RoutingDecision;
import io.fabric8.kubernetes.api.model.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionEventsTest {

    static final Instant AT = Instant.parse("2026-01-01T00:00:00.123Z");
    static final PodRef POD = PodRef.newBuilder().setNamespace("team-a").setName("train").setUid("uid-1").build();

    static RoutingDecision.Builder decision(DecisionOutcome outcome) {
        return RoutingDecision.newBuilder()
                .setDecisionId("uid-1/CREATE/1/decision/0")
                .setIntentId("uid-1/CREATE/1")
                .setPod(POD)
                .setOutcome(outcome)
                .setPoolId("gpu-a")
                .setSite("site-a")
                .setCandidates(List.of(
                        Candidate.newBuilder().setPoolId("gpu-a").setSite("site-a").setEligible(true).setScore(0.9)
                                .build(),
                        Candidate.newBuilder().setPoolId("cpu-only").setSite("site-b").setEligible(false)
                                .setReasons(List.of("needs nvidia.com/gpu=1, pool offers 0")).build()))
                .setDecidedAt(AT);
    }

    @Test
    void anAssignmentSaysWhereAndWhyTheOthersLost() {
        Event event = DecisionEvents.toEvent(decision(DecisionOutcome.ASSIGNED).build(), "vn", Instant.EPOCH)
                .orElseThrow();

        assertThat(event.getReason()).isEqualTo("Routed");
        assertThat(event.getType()).isEqualTo("Normal");
        assertThat(event.getMessage()).isEqualTo("Routed to pool gpu-a at site site-a (attempt 0). "
                + "Not chosen: cpu-only@site-b (needs nvidia.com/gpu=1, pool offers 0).");
        assertThat(event.getInvolvedObject()).extracting("kind", "apiVersion", "name", "namespace", "uid")
                .containsExactly("Pod", "v1", "train", "team-a", "uid-1");
        assertThat(event.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(event.getSource().getComponent()).isEqualTo("ferry-gateway");
        assertThat(event.getSource().getHost()).isEqualTo("vn");
        assertThat(event.getFirstTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(event.getLastTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(event.getEventTime().getTime()).isEqualTo("2026-01-01T00:00:00.123000Z");
        assertThat(event.getCount()).isEqualTo(1);
        assertThat(event.getReportingComponent()).isEqualTo("ferry-gateway");
        assertThat(event.getReportingInstance()).isEqualTo("vn");
        assertThat(event.getAction()).isEqualTo("Route");
    }

    @Test
    void reasonsAndTypesByOutcome() {
        assertThat(reasonAndType(DecisionOutcome.QUEUED)).isEqualTo("Queued/Normal");
        assertThat(reasonAndType(DecisionOutcome.REJECTED)).isEqualTo("Rejected/Warning");
        assertThat(reasonAndType(DecisionOutcome.CANCELLED)).isEqualTo("Cancelled/Normal");
        assertThat(reasonAndType(DecisionOutcome.REROUTED)).isEqualTo("Rerouted/Normal");
        assertThat(DecisionEvents.toEvent(decision(DecisionOutcome.DUPLICATE).build(), "vn", AT)).isEmpty();
        assertThat(DecisionEvents.toEvent(decision(DecisionOutcome.UNKNOWN).build(), "vn", AT)).isEmpty();
    }

    @Test
    void aRejectionSaysWhyAndListsEveryPool() {
        RoutingDecision rejected = decision(DecisionOutcome.REJECTED).setPoolId(null).setSite(null)
                .setReason("no pool offers nvidia.com/gpu=8")
                .setCandidates(List.of(Candidate.newBuilder().setPoolId("gpu-a").setSite("site-a").setEligible(false)
                        .setReasons(List.of("needs nvidia.com/gpu=8, pool offers 4")).build()))
                .build();
        assertThat(DecisionEvents.message(rejected)).isEqualTo("No pool can run this pod (attempt 0): no pool "
                + "offers nvidia.com/gpu=8. Pools considered: gpu-a@site-a (needs nvidia.com/gpu=8, pool offers 4).");
    }

    @Test
    void aQueuedPodSaysWhereItWaits() {
        RoutingDecision queued = decision(DecisionOutcome.QUEUED).setReason("2 of 4 GPUs free, 4 needed")
                .setCandidates(List.of()).build();
        assertThat(DecisionEvents.message(queued))
                .isEqualTo("Waiting for capacity in pool gpu-a at site site-a (attempt 0): 2 of 4 GPUs free, 4 needed.");
    }

    @Test
    void theMessageIsCutTo1KiBOfUtf8() {
        List<Candidate> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(Candidate.newBuilder().setPoolId("pool-" + i).setSite("site-ü").setEligible(false)
                    .setReasons(List.of("needs 1 GPU — offers 0")).build());
        }
        String message = DecisionEvents.toEvent(decision(DecisionOutcome.REJECTED).setCandidates(many).build(),
                "vn", AT).orElseThrow().getMessage();
        assertThat(message.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024).isGreaterThan(1000);
        assertThat(message).startsWith("No pool can run this pod").endsWith(" …");
        assertThat(DecisionEvents.truncate("short", 1024)).isEqualTo("short");
    }

    @Test
    void theNameIsDeterministicAndAValidDnsSubdomain() {
        String name = DecisionEvents.eventName("train", "uid-1/CREATE/1/decision/0");
        assertThat(name).matches("train\\.[0-9a-f]{16}");
        assertThat(DecisionEvents.eventName("train", "uid-1/CREATE/1/decision/0")).isEqualTo(name);
        assertThat(DecisionEvents.eventName("train", "uid-1/CREATE/1/decision/1")).isNotEqualTo(name);

        String longName = "a".repeat(230) + "-" + "b".repeat(22);
        String shortened = DecisionEvents.eventName(longName, "d");
        assertThat(shortened).hasSizeLessThanOrEqualTo(253)
                .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    }

    private static String reasonAndType(DecisionOutcome outcome) {
        Event event = DecisionEvents.toEvent(decision(outcome).build(), "vn", AT).orElseThrow();
        return event.getReason() + "/" + event.getType();
    }
}
