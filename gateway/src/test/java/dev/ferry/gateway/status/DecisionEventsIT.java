package dev.ferry.gateway.status;

import static dev.ferry.gateway.status.StatusFixtures.forCreate;
import static dev.ferry.gateway.status.StatusFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.apiserver.DevApiServerExtension;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.PodRef;
import dev.ferry.events.RoutingDecision;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevApiServerExtension.class)
class DecisionEventsIT {

    private KubernetesClient client;
    private DecisionEvents events;

    @BeforeEach
    void start(DevApiServer api) {
        client = StatusWriterIT.client(api.url());
        events = new DecisionEvents(client, StatusFixtures.NODE, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        client.close();
    }

    @Test
    void aDecisionRecordedTwiceMakesOneEvent() {
        Pod pod = create("train");
        RoutingDecision assigned = decision(pod, DecisionOutcome.ASSIGNED, "d-1");

        events.record(assigned);
        events.record(assigned);

        List<Event> recorded = eventsOf("train");
        assertThat(recorded).singleElement().satisfies(e -> {
            assertThat(e.getReason()).isEqualTo("Routed");
            assertThat(e.getType()).isEqualTo("Normal");
            assertThat(e.getMessage()).isEqualTo("Routed to pool gpu-a at site site-a (attempt 0). "
                    + "Not chosen: cpu-only@site-b (needs nvidia.com/gpu=1, pool offers 0).");
            assertThat(e.getInvolvedObject().getUid()).isEqualTo(pod.getMetadata().getUid());
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
            assertThat(e.getSource().getComponent()).isEqualTo("ferry-gateway");
            assertThat(e.getSource().getHost()).isEqualTo("vn");
            assertThat(e.getCount()).isEqualTo(1);
            assertThat(e.getFirstTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        });
    }

    @Test
    void eachDecisionOfAPodIsItsOwnEventAndARejectionIsAWarning() {
        Pod pod = create("big");
        events.record(decision(pod, DecisionOutcome.QUEUED, "d-1"));
        events.record(decision(pod, DecisionOutcome.REJECTED, "d-2"));
        events.record(decision(pod, DecisionOutcome.DUPLICATE, "d-3"));

        assertThat(eventsOf("big")).extracting(e -> e.getReason() + "/" + e.getType())
                .containsExactlyInAnyOrder("Queued/Normal", "Rejected/Warning");
    }

    private Pod create(String name) {
        return client.pods().inNamespace("default").resource(forCreate(pod(name))).create();
    }

    private List<Event> eventsOf(String pod) {
        return client.v1().events().inNamespace("default").withField("involvedObject.name", pod).list().getItems();
    }

    private static RoutingDecision decision(Pod pod, DecisionOutcome outcome, String id) {
        PodRef ref = StatusFixtures.ref(pod);
        return RoutingDecision.newBuilder(DecisionEventsTest.decision(outcome).build())
                .setDecisionId(id).setPod(ref).setDecidedAt(StatusFixtures.T0).build();
    }
}
