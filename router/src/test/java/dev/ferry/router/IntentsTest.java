package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.events.Container;
import dev.ferry.events.NodeSelectorRequirement;
import dev.ferry.events.NodeSelectorTerm;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.fixtures.Pods;
import dev.ferry.router.model.PodRequirements;
import dev.ferry.router.model.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IntentsTest {

    private static PodIntent withSpec(PodIntent intent, java.util.function.UnaryOperator<PodSpecSnapshot.Builder> change) {
        return PodIntent.newBuilder(intent).setSpec(change.apply(PodSpecSnapshot.newBuilder(intent.getSpec())).build()).build();
    }

    private static Container container(String name, Map<String, String> requests, Map<String, String> limits) {
        return Container.newBuilder().setName(name).setImage("busybox").setRequests(requests).setLimits(limits).build();
    }

    @Test
    void theEffectiveRequestSumsContainersTakesTheLargestInitContainerAndDefaultsRequestsToLimits() {
        PodIntent intent = withSpec(Pods.named("p").create(), s -> s
                .setContainers(List.of(
                        container("a", Map.of("cpu", "500m", "memory", "1Gi"), Map.of("cpu", "1", "nvidia.com/gpu", "1")),
                        container("b", Map.of("cpu", "1500m"), Map.of())))
                .setInitContainers(List.of(
                        container("init-1", Map.of("cpu", "4"), Map.of()),
                        container("init-2", Map.of("memory", "3Gi"), Map.of()))));

        PodRequirements requirements = Intents.requirements(intent);

        assertThat(requirements.requests())
                .isEqualTo(Resources.parse(Map.of("cpu", "4", "memory", "3Gi", "nvidia.com/gpu", "1")));
    }

    @Test
    void aRequestAboveItsLimitIsRefused() {
        PodIntent intent = withSpec(Pods.named("p").create(), s -> s.setContainers(List.of(
                container("main", Map.of("cpu", "2"), Map.of("cpu", "1")))));

        assertThatThrownBy(() -> Intents.requirements(intent)).isInstanceOf(InvalidIntentException.class)
                .hasMessage("spec.containers[0] (main).resources: requests.cpu=2 exceeds limits.cpu=1");
    }

    @Test
    void annotationsImplyTheBackendAndTwoBackendsAreAContradiction() {
        assertThat(Intents.requirements(Pods.named("p").annotation("slurm-job.vk.io/flags", "--mem=1G").create()).backend())
                .contains("SLURM");
        assertThat(Intents.requirements(Pods.named("p").annotation("htcondor-job.knoc.io/sitename", "x").create()).backend())
                .contains("HTCONDOR");
        assertThat(Intents.requirements(Pods.named("p").annotation("htcondor-job.ferry.dev/submit", "x").create())
                .backend()).contains("HTCONDOR");
        assertThat(Intents.requirements(Pods.named("p").annotation("ferry.dev/other", "x").create()).backend()).isEmpty();
        assertThatThrownBy(() -> Intents.requirements(Pods.named("p").annotation("slurm-job.vk.io/flags", "x")
                .annotation("htcondor-job.knoc.io/sitename", "y").create()))
                .hasMessageContaining("ask for two backends");
    }

    @Test
    void malformedAffinityAndDeadlinesNameTheField() {
        PodIntent badOperator = withSpec(Pods.named("p").create(), s -> s.setRequiredNodeAffinity(List.of(term("zone", "Near", "x"))));
        PodIntent badGt = withSpec(Pods.named("p").create(), s -> s.setRequiredNodeAffinity(List.of(term("cores", "Gt", "many"))));
        PodIntent badDeadline = withSpec(Pods.named("p").create(), s -> s.setActiveDeadlineSeconds(0L));

        assertThatThrownBy(() -> Intents.requirements(badOperator)).hasMessage(
                "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                        + ".matchExpressions[0].operator must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt, was 'Near'");
        assertThatThrownBy(() -> Intents.requirements(badGt)).hasMessageEndingWith("Gt needs exactly one integer value, got [many]");
        assertThatThrownBy(() -> Intents.requirements(badDeadline))
                .hasMessage("spec.activeDeadlineSeconds must be positive, was 0");
    }

    @Test
    void aDeleteHasNoRequirements() {
        assertThatThrownBy(() -> Intents.requirements(Pods.named("p").delete())).isInstanceOf(InvalidIntentException.class);
    }

    private static NodeSelectorTerm term(String key, String operator, String value) {
        return NodeSelectorTerm.newBuilder().setMatchExpressions(List.of(NodeSelectorRequirement.newBuilder()
                .setKey(key).setOperator(operator).setValues(List.of(value)).build())).build();
    }
}
