package dev.ferry.executor;

import dev.ferry.events.ContainerState;
import dev.ferry.events.ContainerStatus;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.StatusSource;
import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds {@code PodStatusEvent}s from backend statuses; pure. */
public final class StatusEvents {

    private StatusEvents() {
    }

    /**
     * The event for {@code status}. Containers the backend could not tell about are filled in from
     * the job's state: waiting while it is pending, running while it runs, terminated with the job's
     * exit code when it ended.
     */
    public static PodStatusEvent build(String site, String poolId, PodRef pod, int attempt, Optional<String> backendJobId,
                                       JobStatus status, List<String> initNames, List<String> containerNames,
                                       long sequence, Instant now) {
        return PodStatusEvent.newBuilder()
                .setPod(pod)
                .setPhase(phase(status.phase()))
                .setReason(status.reason().isEmpty() ? null : status.reason())
                .setMessage(status.message().isEmpty() ? null : status.message())
                .setAttempt(attempt)
                .setSource(StatusSource.EXECUTOR)
                .setSequence(sequence)
                .setSite(site)
                .setPoolId(poolId)
                .setBackendJobId(backendJobId.orElse(null))
                .setInitContainers(containers(status, status.initContainers(), initNames, true))
                .setContainers(containers(status, status.containers(), containerNames, false))
                .setStartTime(status.startedAt().map(StatusEvents::millis).orElse(null))
                .setObservedAt(millis(now))
                .build();
    }

    /** The event without what changes on every observation (sequence, time), for "did anything change?". */
    public static PodStatusEvent fingerprint(PodStatusEvent event) {
        return PodStatusEvent.newBuilder(event).setSequence(0).setObservedAt(Instant.EPOCH).build();
    }

    /** Whether an event reports a finished pod. */
    public static boolean isTerminal(PodStatusEvent event) {
        return event.getPhase() == PodPhase.SUCCEEDED || event.getPhase() == PodPhase.FAILED;
    }

    static PodPhase phase(JobStatus.JobPhase phase) {
        return switch (phase) {
            case PENDING -> PodPhase.PENDING;
            case RUNNING -> PodPhase.RUNNING;
            case SUCCEEDED -> PodPhase.SUCCEEDED;
            case FAILED -> PodPhase.FAILED;
        };
    }

    private static List<ContainerStatus> containers(JobStatus job, List<ContainerStatusInfo> known, List<String> names, boolean init) {
        List<ContainerStatus> out = new ArrayList<>();
        List<String> order = new ArrayList<>(names);
        known.forEach(k -> {
            if (!order.contains(k.name())) {
                order.add(k.name());
            }
        });
        for (String name : order) {
            Optional<ContainerStatusInfo> info = known.stream().filter(k -> k.name().equals(name)).findFirst();
            out.add(info.map(StatusEvents::container).orElseGet(() -> inferred(job, name, init)));
        }
        return out;
    }

    private static ContainerStatus container(ContainerStatusInfo info) {
        return ContainerStatus.newBuilder()
                .setName(info.name())
                .setState(switch (info.state()) {
                    case WAITING -> ContainerState.WAITING;
                    case RUNNING -> ContainerState.RUNNING;
                    case TERMINATED -> ContainerState.TERMINATED;
                })
                .setExitCode(info.exitCode().orElse(null))
                .setSignal(info.signal().orElse(null))
                .setReason(info.reason().isEmpty() ? null : info.reason())
                .setStartedAt(info.startedAt().map(StatusEvents::millis).orElse(null))
                .setFinishedAt(info.finishedAt().map(StatusEvents::millis).orElse(null))
                .build();
    }

    private static ContainerStatus inferred(JobStatus job, String name, boolean init) {
        ContainerStatus.Builder b = ContainerStatus.newBuilder().setName(name);
        switch (job.phase()) {
            case PENDING -> b.setState(ContainerState.WAITING).setReason("Pending");
            case RUNNING -> b.setState(init ? ContainerState.TERMINATED : ContainerState.RUNNING);
            default -> b.setState(ContainerState.TERMINATED)
                    .setExitCode(job.exitCode().orElse(job.phase() == JobStatus.JobPhase.SUCCEEDED ? 0 : null))
                    .setSignal(job.signal().orElse(null))
                    .setReason(job.reason().isEmpty() ? null : job.reason())
                    .setFinishedAt(job.finishedAt().map(StatusEvents::millis).orElse(null));
        }
        return b.build();
    }

    private static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }
}
