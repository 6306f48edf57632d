package dev.ferry.gateway.status;

import dev.ferry.events.ContainerState;
import dev.ferry.events.ContainerStatus;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.StatusSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Pods bound to the virtual node and status events about them, for this package's tests. */
final class StatusFixtures {

    static final String NODE = "vn";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private StatusFixtures() {
    }

    /** A pod bound to {@link #NODE} with one container per name (image {@code busybox:1.36}), as yet without status. */
    static PodBuilder pod(String name, String... containers) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
                .withUid(UUID.randomUUID().toString()).endMetadata()
                .withNewSpec().withNodeName(NODE).withRestartPolicy("Never").endSpec();
        for (String container : containers.length == 0 ? new String[] {"main"} : containers) {
            pod.editSpec().addNewContainer().withName(container).withImage("busybox:1.36")
                    .withCommand("sh", "-c", "echo hello").endContainer().endSpec();
        }
        return pod;
    }

    /** Adds an init container to a pod builder. */
    static PodBuilder withInit(PodBuilder pod, String name) {
        return pod.editSpec().addNewInitContainer().withName(name).withImage("alpine:3.20")
                .withCommand("true").endInitContainer().endSpec();
    }

    /** A pod as the API server would hand it over for creation (no UID: the server assigns it). */
    static Pod forCreate(PodBuilder pod) {
        return pod.editMetadata().withUid(null).endMetadata().build();
    }

    static PodRef ref(Pod pod) {
        return PodRef.newBuilder().setNamespace(pod.getMetadata().getNamespace())
                .setName(pod.getMetadata().getName()).setUid(pod.getMetadata().getUid()).build();
    }

    /** An event about {@code pod} from site-a, job 4242, observed at {@link #T0} plus {@code sequence} seconds. */
    static PodStatusEvent.Builder event(Pod pod, PodPhase phase, int attempt, StatusSource source, long sequence) {
        return PodStatusEvent.newBuilder()
                .setPod(ref(pod))
                .setPhase(phase)
                .setAttempt(attempt)
                .setSource(source)
                .setSequence(sequence)
                .setSite("site-a")
                .setPoolId("pool-a")
                .setBackendJobId("4242")
                .setObservedAt(T0.plusSeconds(sequence));
    }

    static PodStatusEvent executor(Pod pod, PodPhase phase, long sequence, ContainerStatus... containers) {
        return event(pod, phase, 0, StatusSource.EXECUTOR, sequence).setContainers(List.of(containers)).build();
    }

    static ContainerStatus waiting(String name, String reason) {
        return ContainerStatus.newBuilder().setName(name).setState(ContainerState.WAITING).setReason(reason).build();
    }

    static ContainerStatus running(String name, Instant startedAt) {
        return ContainerStatus.newBuilder().setName(name).setState(ContainerState.RUNNING).setStartedAt(startedAt)
                .build();
    }

    static ContainerStatus terminated(String name, Integer exitCode, Integer signal, String reason) {
        return ContainerStatus.newBuilder().setName(name).setState(ContainerState.TERMINATED).setExitCode(exitCode)
                .setSignal(signal).setReason(reason).setStartedAt(T0.plusSeconds(1))
                .setFinishedAt(T0.plusSeconds(9)).build();
    }
}
