package dev.ferry.gateway.status;

import static dev.ferry.gateway.status.StatusFixtures.T0;
import static dev.ferry.gateway.status.StatusFixtures.event;
import static dev.ferry.gateway.status.StatusFixtures.executor;
import static dev.ferry.gateway.status.StatusFixtures.pod;
import static dev.ferry.gateway.status.StatusFixtures.running;
import static dev.ferry.gateway.status.StatusFixtures.terminated;
import static dev.ferry.gateway.status.StatusFixtures.waiting;
import static dev.ferry.gateway.status.StatusFixtures.withInit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.ContainerState;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.StatusSource;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodStatusMapperTest {

    @Test
    void queuedByTheRouter() {
        Pod pod = pod("q").build();
        PodStatus status = PodStatusMapper.apply(pod, event(pod, PodPhase.PENDING, 0, StatusSource.ROUTER, 1)
                .setReason("Queued").setMessage("waiting for 2 nvidia.com/gpu in pool gpu-a")
                .setSite(null).setBackendJobId(null).build());

        assertThat(status.getPhase()).isEqualTo("Pending");
        assertThat(status.getReason()).isEqualTo("Queued");
        assertThat(status.getMessage()).isEqualTo("waiting for 2 nvidia.com/gpu in pool gpu-a");
        ContainerStatus main = status.getContainerStatuses().get(0);
        assertThat(main.getState().getWaiting().getReason()).isEqualTo("Queued");
        assertThat(main.getState().getWaiting().getMessage()).isEqualTo("waiting for 2 nvidia.com/gpu in pool gpu-a");
        assertThat(main.getContainerID()).as("no site job yet").isNull();
        assertThat(main.getImage()).isEqualTo("busybox:1.36");
        assertThat(main.getImageID()).isEmpty();
        assertThat(main.getReady()).isFalse();
        assertThat(main.getStarted()).isFalse();
        assertThat(condition(status, "PodScheduled").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Initialized").getStatus()).isEqualTo("True");
        assertThat(condition(status, "ContainersReady")).extracting(PodCondition::getStatus, PodCondition::getReason,
                PodCondition::getMessage).containsExactly("False", "ContainersNotReady",
                "containers with unready status: [main]");
        assertThat(condition(status, "Ready")).extracting(PodCondition::getStatus, PodCondition::getReason)
                .containsExactly("False", "ContainersNotReady");
        assertThat(condition(status, StatusOrder.CONDITION)).extracting(PodCondition::getStatus,
                PodCondition::getMessage).containsExactly("True", "attempt=0 source=ROUTER sequence=1");
    }

    @Test
    void pendingAtTheSiteWithoutDetailsIsContainerCreating() {
        Pod pod = pod("p").build();
        PodStatus status = PodStatusMapper.apply(pod, executor(pod, PodPhase.PENDING, 1));
        ContainerStatus main = status.getContainerStatuses().get(0);
        assertThat(main.getState().getWaiting().getReason()).isEqualTo(PodStatusMapper.CONTAINER_CREATING);
        assertThat(main.getContainerID()).isEqualTo("ferry://site-a/4242/main");
    }

    @Test
    void runningKeepsWhatTheGatewayDoesNotOwn() {
        Pod pod = pod("r").withNewStatus().withPhase("Pending").withHostIP("10.0.0.1").withPodIP("10.1.0.7")
                .withQosClass("BestEffort")
                .addNewCondition().withType("ferry.dev/IntentPublished").withStatus("True")
                .withLastTransitionTime("2025-12-31T00:00:00Z").endCondition()
                .endStatus().build();
        PodStatus status = PodStatusMapper.apply(pod, event(pod, PodPhase.RUNNING, 0, StatusSource.EXECUTOR, 2)
                .setStartTime(T0.plusSeconds(1)).setContainers(List.of(running("main", T0.plusMillis(1500))))
                .build());

        assertThat(status.getPhase()).isEqualTo("Running");
        assertThat(status.getStartTime()).isEqualTo("2026-01-01T00:00:01Z");
        assertThat(status.getHostIP()).isEqualTo("10.0.0.1");
        assertThat(status.getPodIP()).isEqualTo("10.1.0.7");
        assertThat(status.getQosClass()).isEqualTo("BestEffort");
        ContainerStatus main = status.getContainerStatuses().get(0);
        assertThat(main.getState().getRunning().getStartedAt()).isEqualTo("2026-01-01T00:00:01Z");
        assertThat(main.getState().getWaiting()).isNull();
        assertThat(main.getReady()).isTrue();
        assertThat(main.getStarted()).isTrue();
        assertThat(main.getContainerID()).isEqualTo("ferry://site-a/4242/main");
        assertThat(condition(status, "ContainersReady").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(status, "ferry.dev/IntentPublished")).extracting(PodCondition::getStatus,
                PodCondition::getLastTransitionTime).containsExactly("True", "2025-12-31T00:00:00Z");
    }

    @Test
    void succeededWithExitCodeZero() {
        Pod pod = pod("s").build();
        PodStatus status = PodStatusMapper.apply(pod, executor(pod, PodPhase.SUCCEEDED, 9,
                terminated("main", 0, null, null)));

        assertThat(status.getPhase()).isEqualTo("Succeeded");
        var terminated = status.getContainerStatuses().get(0).getState().getTerminated();
        assertThat(terminated.getExitCode()).isZero();
        assertThat(terminated.getReason()).isEqualTo("Completed");
        assertThat(terminated.getStartedAt()).isEqualTo("2026-01-01T00:00:01Z");
        assertThat(terminated.getFinishedAt()).isEqualTo("2026-01-01T00:00:09Z");
        assertThat(status.getContainerStatuses().get(0).getReady()).isFalse();
        assertThat(condition(status, "Ready")).extracting(PodCondition::getStatus, PodCondition::getReason)
                .containsExactly("False", "PodCompleted");
    }

    @Test
    void failedWithExitCodeSignalReasonAndMessage() {
        Pod pod = pod("f").build();
        var killed = dev.ferry.events.ContainerStatus.newBuilder(terminated("main", 137, 9, "OOMKilled"))
                .setMessage("the job used 4.1 GiB of its 4 GiB").build();
        PodStatus status = PodStatusMapper.apply(pod, event(pod, PodPhase.FAILED, 0, StatusSource.EXECUTOR, 9)
                .setReason("Error").setMessage("job 4242 failed").setContainers(List.of(killed)).build());

        assertThat(status.getPhase()).isEqualTo("Failed");
        assertThat(status.getReason()).isEqualTo("Error");
        var terminated = status.getContainerStatuses().get(0).getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(137);
        assertThat(terminated.getSignal()).isEqualTo(9);
        assertThat(terminated.getReason()).isEqualTo("OOMKilled");
        assertThat(terminated.getMessage()).isEqualTo("the job used 4.1 GiB of its 4 GiB");
    }

    @Test
    void aSignalWithoutExitCodeBecomes128PlusSignalAndErrorIsTheDefaultReason() {
        Pod pod = pod("sig").build();
        PodStatus status = PodStatusMapper.apply(pod, executor(pod, PodPhase.FAILED, 9,
                terminated("main", null, 15, null)));
        var terminated = status.getContainerStatuses().get(0).getState().getTerminated();
        assertThat(terminated.getExitCode()).isEqualTo(143);
        assertThat(terminated.getSignal()).isEqualTo(15);
        assertThat(terminated.getReason()).isEqualTo("Error");
    }

    @Test
    void unknownPhase() {
        Pod pod = pod("u").build();
        PodStatus status = PodStatusMapper.apply(pod, executor(pod, PodPhase.UNKNOWN, 3));
        assertThat(status.getPhase()).isEqualTo("Unknown");
        assertThat(PodStatusMapper.phase(PodPhase.PENDING)).isEqualTo("Pending");
    }

    @Test
    void isTerminalOnlyForSucceededAndFailed() {
        Pod pod = pod("t").build();
        assertThat(PodStatusMapper.isTerminal(executor(pod, PodPhase.SUCCEEDED, 1))).isTrue();
        assertThat(PodStatusMapper.isTerminal(executor(pod, PodPhase.FAILED, 1))).isTrue();
        assertThat(PodStatusMapper.isTerminal(executor(pod, PodPhase.RUNNING, 1))).isFalse();
        assertThat(PodStatusMapper.isTerminal(executor(pod, PodPhase.PENDING, 1))).isFalse();
        assertThat(PodStatusMapper.isTerminal(executor(pod, PodPhase.UNKNOWN, 1))).isFalse();
    }

    @Test
    void initContainersGateInitialized() {
        Pod pod = withInit(pod("i"), "fetch").build();

        PodStatus initRunning = PodStatusMapper.apply(pod, event(pod, PodPhase.PENDING, 0, StatusSource.EXECUTOR, 2)
                .setInitContainers(List.of(running("fetch", T0.plusSeconds(1)))).build());
        assertThat(initRunning.getInitContainerStatuses()).hasSize(1);
        assertThat(initRunning.getInitContainerStatuses().get(0).getState().getRunning()).isNotNull();
        assertThat(initRunning.getInitContainerStatuses().get(0).getImage()).isEqualTo("alpine:3.20");
        assertThat(initRunning.getContainerStatuses().get(0).getState().getWaiting().getReason())
                .isEqualTo(PodStatusMapper.POD_INITIALIZING);
        assertThat(condition(initRunning, "Initialized")).extracting(PodCondition::getStatus,
                PodCondition::getReason, PodCondition::getMessage).containsExactly("False",
                "ContainersNotInitialized", "containers with incomplete status: [fetch]");

        pod.setStatus(initRunning);
        PodStatus initDone = PodStatusMapper.apply(pod, event(pod, PodPhase.RUNNING, 0, StatusSource.EXECUTOR, 5)
                .setInitContainers(List.of(terminated("fetch", 0, null, null)))
                .setContainers(List.of(running("main", T0.plusSeconds(4)))).build());
        assertThat(condition(initDone, "Initialized").getStatus()).isEqualTo("True");
        assertThat(initDone.getInitContainerStatuses().get(0).getReady()).isTrue();
        assertThat(condition(initDone, "Ready").getStatus()).isEqualTo("True");

        PodStatus initFailed = PodStatusMapper.apply(pod, event(pod, PodPhase.FAILED, 0, StatusSource.EXECUTOR, 5)
                .setInitContainers(List.of(terminated("fetch", 2, null, null))).build());
        assertThat(condition(initFailed, "Initialized").getStatus()).isEqualTo("False");
        assertThat(initFailed.getInitContainerStatuses().get(0).getState().getTerminated().getExitCode())
                .isEqualTo(2);
    }

    @Test
    void lastTransitionTimeChangesOnlyWithTheStatus() {
        Pod pod = pod("ltt").build();
        pod.setStatus(PodStatusMapper.apply(pod, executor(pod, PodPhase.RUNNING, 10, running("main", T0))));
        assertThat(condition(pod.getStatus(), "Ready")).extracting(PodCondition::getStatus,
                PodCondition::getLastTransitionTime).containsExactly("True", "2026-01-01T00:00:10Z");

        pod.setStatus(PodStatusMapper.apply(pod, executor(pod, PodPhase.RUNNING, 20, running("main", T0))));
        assertThat(condition(pod.getStatus(), "Ready").getLastTransitionTime())
                .as("still Ready: no transition").isEqualTo("2026-01-01T00:00:10Z");
        assertThat(condition(pod.getStatus(), StatusOrder.CONDITION).getMessage()).endsWith("sequence=20");

        pod.setStatus(PodStatusMapper.apply(pod, executor(pod, PodPhase.SUCCEEDED, 30,
                terminated("main", 0, null, null))));
        assertThat(condition(pod.getStatus(), "Ready")).extracting(PodCondition::getStatus,
                PodCondition::getLastTransitionTime).containsExactly("False", "2026-01-01T00:00:30Z");
        assertThat(condition(pod.getStatus(), "PodScheduled").getLastTransitionTime())
                .isEqualTo("2026-01-01T00:00:10Z");
        assertThat(pod.getStatus().getConditions()).extracting(PodCondition::getType)
                .as("each type once").doesNotHaveDuplicates();
    }

    @Test
    void aContainerTheEventDoesNotMentionKeepsItsStatus() {
        Pod pod = pod("two", "main", "sidecar").build();
        pod.setStatus(PodStatusMapper.apply(pod, executor(pod, PodPhase.RUNNING, 1, running("main", T0),
                running("sidecar", T0.plusSeconds(2)))));
        PodStatus status = PodStatusMapper.apply(pod, executor(pod, PodPhase.RUNNING, 2,
                terminated("main", 0, null, null)));

        assertThat(status.getContainerStatuses()).extracting(ContainerStatus::getName)
                .containsExactly("main", "sidecar");
        assertThat(status.getContainerStatuses().get(0).getState().getTerminated()).isNotNull();
        assertThat(status.getContainerStatuses().get(1).getState().getRunning().getStartedAt())
                .isEqualTo("2026-01-01T00:00:02Z");
        assertThat(condition(status, "ContainersReady").getMessage())
                .isEqualTo("containers with unready status: [main]");
    }

    @Test
    void aRestartKeepsThePreviousTerminationAsLastState() {
        Pod pod = pod("restart").build();
        pod.setStatus(PodStatusMapper.apply(pod, executor(pod, PodPhase.RUNNING, 1,
                terminated("main", 1, null, null))));
        var again = dev.ferry.events.ContainerStatus.newBuilder(running("main", T0.plusSeconds(20)))
                .setRestartCount(1).build();
        PodStatus status = PodStatusMapper.apply(pod, executor(pod, PodPhase.RUNNING, 2, again));

        ContainerStatus main = status.getContainerStatuses().get(0);
        assertThat(main.getRestartCount()).isEqualTo(1);
        assertThat(main.getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(main.getState().getRunning().getStartedAt()).isEqualTo("2026-01-01T00:00:20Z");
    }

    @Test
    void aMissingReadinessGateKeepsThePodFromReady() {
        Pod pod = pod("gated").editSpec().addNewReadinessGate().withConditionType("example.com/lb-ready")
                .endReadinessGate().endSpec().build();
        PodStatus status = PodStatusMapper.apply(pod, executor(pod, PodPhase.RUNNING, 1, running("main", T0)));
        assertThat(condition(status, "ContainersReady").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Ready")).extracting(PodCondition::getStatus, PodCondition::getReason)
                .containsExactly("False", "ReadinessGatesNotReady");

        status.getConditions().add(new PodConditionBuilder().withType("example.com/lb-ready").withStatus("True")
                .build());
        pod.setStatus(status);
        PodStatus gated = PodStatusMapper.apply(pod, executor(pod, PodPhase.RUNNING, 2, running("main", T0)));
        assertThat(condition(gated, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(gated, "example.com/lb-ready").getStatus()).as("the gate's condition is kept")
                .isEqualTo("True");
    }

    @Test
    void aWaitingContainerGetsItsOwnReasonOrThePods() {
        Pod pod = pod("w").build();
        PodStatus own = PodStatusMapper.apply(pod, executor(pod, PodPhase.PENDING, 1, waiting("main", "ImagePull")));
        assertThat(own.getContainerStatuses().get(0).getState().getWaiting().getReason()).isEqualTo("ImagePull");

        PodStatusEvent noReason = event(pod, PodPhase.PENDING, 0, StatusSource.EXECUTOR, 2).setReason("JobPending")
                .setContainers(List.of(dev.ferry.events.ContainerStatus.newBuilder().setName("main")
                        .setState(ContainerState.WAITING).build())).build();
        assertThat(PodStatusMapper.apply(pod, noReason).getContainerStatuses().get(0).getState().getWaiting()
                .getReason()).isEqualTo("JobPending");
    }

    @Test
    void theGatewaysFailureLeavesUnfinishedContainersWaitingWithTheReason() {
        Pod pod = pod("bad", "main", "done").build();
        pod.setStatus(PodStatusMapper.apply(pod, executor(pod, PodPhase.PENDING, 1,
                terminated("done", 0, null, null))));
        StatusOrder order = new StatusOrder(0, StatusSource.GATEWAY, 77);
        PodStatusEvent failure = PodStatusMapper.failure(pod, "SecretMissing", "secret db-pass not found", order,
                T0.plusSeconds(60));
        PodStatus status = PodStatusMapper.apply(pod, failure);

        assertThat(status.getPhase()).isEqualTo("Failed");
        assertThat(status.getReason()).isEqualTo("SecretMissing");
        assertThat(status.getMessage()).isEqualTo("secret db-pass not found");
        assertThat(status.getContainerStatuses().get(0).getState().getWaiting())
                .extracting("reason", "message").containsExactly("SecretMissing", "secret db-pass not found");
        assertThat(status.getContainerStatuses().get(1).getState().getTerminated().getReason())
                .as("a finished container keeps its status").isEqualTo("Completed");
        assertThat(condition(status, StatusOrder.CONDITION).getMessage())
                .isEqualTo("attempt=0 source=GATEWAY sequence=77");
    }

    private static PodCondition condition(PodStatus status, String type) {
        return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type + " in " + status.getConditions()));
    }
}
