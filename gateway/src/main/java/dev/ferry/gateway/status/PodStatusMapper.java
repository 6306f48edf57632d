package dev.ferry.gateway.status;

import dev.ferry.events.ContainerState;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodStatusEvent;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a {@link PodStatusEvent} into the pod's next {@link PodStatus}, as a kubelet would write it: phase, reason,
 * message and start time from the event; the conditions PodScheduled, Initialized, ContainersReady and Ready; a
 * status for every container and init container of the pod's spec; and the {@value StatusOrder#CONDITION}
 * condition carrying the event's order. Everything else in the current status (host and pod IPs, QoS class, other
 * controllers' conditions, readiness gates' conditions) is kept.
 *
 * <p>Pure: no I/O, no clock. A condition's {@code lastTransitionTime} is the event's {@code observedAt}, and changes
 * only when the condition's status does. Containers at a remote site have no probes: a container is ready while it
 * runs in a running pod; an init container once it exited with 0.
 */
public final class PodStatusMapper {

    /** The waiting reason of a container that has not started and about which nothing more is known. */
    public static final String CONTAINER_CREATING = "ContainerCreating";
    /** The waiting reason of a container whose pod's init containers have not all finished. */
    public static final String POD_INITIALIZING = "PodInitializing";

    static final String ORDER_REASON = "StatusEventApplied";

    private PodStatusMapper() {
    }

    /** Whether the event reports a pod that has finished (Succeeded or Failed). */
    public static boolean isTerminal(PodStatusEvent e) {
        return e.getPhase() == PodPhase.SUCCEEDED || e.getPhase() == PodPhase.FAILED;
    }

    /** The Kubernetes phase of an event's phase: {@code PENDING → Pending}, ..., {@code UNKNOWN → Unknown}. */
    public static String phase(PodPhase phase) {
        return switch (phase) {
            case PENDING -> "Pending";
            case RUNNING -> "Running";
            case SUCCEEDED -> "Succeeded";
            case FAILED -> "Failed";
            default -> "Unknown";
        };
    }

    /**
     * The status {@code current} has once {@code event} is applied to it. Does not check the event's order: that is
     * the caller's job ({@link StatusOrder}).
     */
    public static PodStatus apply(Pod current, PodStatusEvent event) {
        Instant now = Objects.requireNonNull(event.getObservedAt(), "event.observedAt");
        PodStatus base = current.getStatus() != null ? current.getStatus() : new PodStatus();
        PodSpec spec = current.getSpec() != null ? current.getSpec() : new PodSpec();
        PodPhase phase = event.getPhase();
        boolean terminal = isTerminal(event);

        boolean reasonForContainers = event.getReason() != null && !event.getReason().isBlank()
                && (phase == PodPhase.PENDING || phase == PodPhase.FAILED || phase == PodPhase.UNKNOWN);
        Waiting podWaiting = reasonForContainers ? new Waiting(event.getReason(), event.getMessage()) : null;

        List<ContainerStatus> initStatuses = statuses(list(spec.getInitContainers()), event.getInitContainers(),
                list(base.getInitContainerStatuses()), event, true,
                podWaiting != null ? podWaiting : new Waiting(CONTAINER_CREATING, null));
        List<String> unfinishedInit = initStatuses.stream().filter(s -> !exitedWithZero(s))
                .map(ContainerStatus::getName).toList();
        boolean initialized = unfinishedInit.isEmpty();

        Waiting mainWaiting = podWaiting != null ? podWaiting
                : new Waiting(initialized ? CONTAINER_CREATING : POD_INITIALIZING, null);
        List<ContainerStatus> mainStatuses = statuses(list(spec.getContainers()), event.getContainers(),
                list(base.getContainerStatuses()), event, false, mainWaiting);
        List<String> unready = mainStatuses.stream().filter(s -> !Boolean.TRUE.equals(s.getReady()))
                .map(ContainerStatus::getName).toList();
        boolean containersReady = phase == PodPhase.RUNNING && unready.isEmpty() && !mainStatuses.isEmpty();

        List<PodCondition> conditions = list(base.getConditions());
        conditions = initialized
                ? PodConditions.set(conditions, "Initialized", "True", null, null, now)
                : PodConditions.set(conditions, "Initialized", "False", "ContainersNotInitialized",
                        "containers with incomplete status: " + names(unfinishedInit), now);
        String notReadyReason = terminal ? "PodCompleted" : "ContainersNotReady";
        String notReadyMessage = terminal ? null : "containers with unready status: " + names(unready);
        if (containersReady) {
            conditions = PodConditions.set(conditions, "ContainersReady", "True", null, null, now);
            String gates = readinessGatesNotReady(spec, conditions);
            conditions = gates == null
                    ? PodConditions.set(conditions, "Ready", "True", null, null, now)
                    : PodConditions.set(conditions, "Ready", "False", "ReadinessGatesNotReady", gates, now);
        } else {
            conditions = PodConditions.set(conditions, "Ready", "False", notReadyReason, notReadyMessage, now);
            conditions = PodConditions.set(conditions, "ContainersReady", "False", notReadyReason, notReadyMessage,
                    now);
        }
        conditions = PodConditions.set(conditions, "PodScheduled", "True", null, null, now);
        conditions = PodConditions.set(conditions, StatusOrder.CONDITION, "True", ORDER_REASON,
                StatusOrder.of(event).toMessage(), now);

        return new PodStatusBuilder(base)
                .withPhase(phase(phase))
                .withReason(event.getReason())
                .withMessage(event.getMessage())
                .withStartTime(event.getStartTime() != null ? KubeTime.time(event.getStartTime()) : base.getStartTime())
                .withConditions(conditions)
                .withInitContainerStatuses(initStatuses)
                .withContainerStatuses(mainStatuses)
                .build();
    }

    /**
     * The event the gateway applies when it fails a pod itself: phase Failed with {@code reason} and
     * {@code message}; containers that have not finished become waiting with that reason (or terminated, exit code
     * 137, when they were running); finished ones keep their status.
     */
    static PodStatusEvent failure(Pod pod, String reason, String message, StatusOrder order, Instant now) {
        PodSpec spec = pod.getSpec() != null ? pod.getSpec() : new PodSpec();
        PodStatus status = pod.getStatus() != null ? pod.getStatus() : new PodStatus();
        return PodStatusEvent.newBuilder()
                .setPod(PodRef.newBuilder().setNamespace(pod.getMetadata().getNamespace())
                        .setName(pod.getMetadata().getName()).setUid(pod.getMetadata().getUid()).build())
                .setPhase(PodPhase.FAILED)
                .setReason(reason)
                .setMessage(message)
                .setAttempt(order.attempt())
                .setSource(order.source())
                .setSequence(order.sequence())
                .setContainers(failed(list(spec.getContainers()), list(status.getContainerStatuses()), reason,
                        message, now))
                .setInitContainers(failed(list(spec.getInitContainers()), list(status.getInitContainerStatuses()),
                        reason, message, now))
                .setObservedAt(now)
                .build();
    }

    private static List<dev.ferry.events.ContainerStatus> failed(List<Container> containers,
                                                                 List<ContainerStatus> previous, String reason,
                                                                 String message, Instant now) {
        Map<String, ContainerStatus> byName = byName(previous);
        List<dev.ferry.events.ContainerStatus> result = new ArrayList<>();
        for (Container container : containers) {
            ContainerStatus old = byName.get(container.getName());
            var state = old == null ? null : old.getState();
            if (state != null && state.getTerminated() != null) {
                continue; // finished: keeps its status
            }
            var status = dev.ferry.events.ContainerStatus.newBuilder().setName(container.getName())
                    .setReason(reason).setMessage(message)
                    .setRestartCount(old == null || old.getRestartCount() == null ? 0 : old.getRestartCount());
            if (state != null && state.getRunning() != null) {
                status.setState(ContainerState.TERMINATED).setExitCode(137).setFinishedAt(now);
            } else {
                status.setState(ContainerState.WAITING);
            }
            result.add(status.build());
        }
        return result;
    }

    // ------------------------------------------------------------------ containers

    private record Waiting(String reason, String message) {
    }

    private static List<ContainerStatus> statuses(List<Container> containers,
                                                  List<dev.ferry.events.ContainerStatus> reported,
                                                  List<ContainerStatus> previous, PodStatusEvent event,
                                                  boolean init, Waiting waiting) {
        Map<String, dev.ferry.events.ContainerStatus> reportedByName = new HashMap<>();
        for (dev.ferry.events.ContainerStatus r : reported == null ? List.<dev.ferry.events.ContainerStatus>of()
                : reported) {
            reportedByName.put(r.getName(), r);
        }
        Map<String, ContainerStatus> previousByName = byName(previous);
        List<ContainerStatus> result = new ArrayList<>();
        for (Container container : containers) {
            result.add(status(container, reportedByName.get(container.getName()),
                    previousByName.get(container.getName()), event, init, waiting));
        }
        return result;
    }

    private static ContainerStatus status(Container container, dev.ferry.events.ContainerStatus reported,
                                          ContainerStatus previous, PodStatusEvent event, boolean init,
                                          Waiting waiting) {
        String name = container.getName();
        String containerId = containerId(event, name);
        if (containerId == null && previous != null) {
            containerId = previous.getContainerID();
        }
        io.fabric8.kubernetes.api.model.ContainerState previousState = previous == null ? null : previous.getState();
        io.fabric8.kubernetes.api.model.ContainerState state;
        io.fabric8.kubernetes.api.model.ContainerState lastState =
                previous != null && previous.getLastState() != null ? previous.getLastState()
                        : new io.fabric8.kubernetes.api.model.ContainerState();
        int restarts;
        if (reported == null) {
            state = previousState != null ? previousState : waiting(waiting.reason(), waiting.message());
            restarts = previous == null || previous.getRestartCount() == null ? 0 : previous.getRestartCount();
        } else {
            state = state(reported, previousState, event, waiting);
            restarts = reported.getRestartCount();
            int before = previous == null || previous.getRestartCount() == null ? 0 : previous.getRestartCount();
            if (restarts > before && previousState != null && previousState.getTerminated() != null) {
                lastState = previousState;
            }
        }
        boolean running = state.getRunning() != null;
        boolean ready = init
                ? state.getTerminated() != null && Objects.equals(state.getTerminated().getExitCode(), 0)
                : running && event.getPhase() == PodPhase.RUNNING;
        return new ContainerStatusBuilder()
                .withName(name)
                .withImage(container.getImage())
                .withImageID("")
                .withContainerID(containerId)
                .withReady(ready)
                .withStarted(running)
                .withRestartCount(restarts)
                .withState(state)
                .withLastState(lastState)
                .build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerState state(
            dev.ferry.events.ContainerStatus reported, io.fabric8.kubernetes.api.model.ContainerState previous,
            PodStatusEvent event, Waiting waiting) {
        String previousStart = previous != null && previous.getRunning() != null
                ? previous.getRunning().getStartedAt() : null;
        return switch (reported.getState()) {
            case WAITING -> reported.getReason() != null
                    ? waiting(reported.getReason(), reported.getMessage())
                    : waiting(waiting.reason(), reported.getMessage() != null ? reported.getMessage()
                            : waiting.message());
            case RUNNING -> new ContainerStateBuilder().withNewRunning()
                    .withStartedAt(reported.getStartedAt() != null ? KubeTime.time(reported.getStartedAt())
                            : previousStart != null ? previousStart
                            : KubeTime.time(event.getStartTime() != null ? event.getStartTime()
                            : event.getObservedAt()))
                    .endRunning().build();
            case TERMINATED -> terminated(reported, previousStart, event);
            default -> previous != null ? previous
                    : waiting(reported.getReason() != null ? reported.getReason() : "ContainerStatusUnknown",
                            reported.getMessage());
        };
    }

    /**
     * A terminated state. An exit code the site did not report is {@code 128 + signal} when a signal is known, else
     * 1 in a failed pod and 0 otherwise; the reason defaults to Completed (exit 0) or Error, as the kubelet's.
     */
    private static io.fabric8.kubernetes.api.model.ContainerState terminated(
            dev.ferry.events.ContainerStatus reported, String previousStart, PodStatusEvent event) {
        int exitCode;
        if (reported.getExitCode() != null) {
            exitCode = reported.getExitCode();
        } else if (reported.getSignal() != null) {
            exitCode = 128 + reported.getSignal();
        } else {
            exitCode = event.getPhase() == PodPhase.FAILED ? 1 : 0;
        }
        String reason = reported.getReason() != null ? reported.getReason() : exitCode == 0 ? "Completed" : "Error";
        return new ContainerStateBuilder().withNewTerminated()
                .withExitCode(exitCode)
                .withSignal(reported.getSignal())
                .withReason(reason)
                .withMessage(reported.getMessage())
                .withStartedAt(reported.getStartedAt() != null ? KubeTime.time(reported.getStartedAt())
                        : previousStart)
                .withFinishedAt(KubeTime.time(reported.getFinishedAt() != null ? reported.getFinishedAt()
                        : event.getObservedAt()))
                .withContainerID(containerId(event, reported.getName()))
                .endTerminated().build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerState waiting(String reason, String message) {
        return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting()
                .build();
    }

    /** {@code ferry://<site>/<backendJobId>/<container>} when the event names both, else null. */
    static String containerId(PodStatusEvent event, String container) {
        if (event.getSite() == null || event.getSite().isEmpty() || event.getBackendJobId() == null
                || event.getBackendJobId().isEmpty()) {
            return null;
        }
        return "ferry://" + event.getSite() + "/" + event.getBackendJobId() + "/" + container;
    }

    private static boolean exitedWithZero(ContainerStatus status) {
        return status.getState() != null && status.getState().getTerminated() != null
                && Objects.equals(status.getState().getTerminated().getExitCode(), 0);
    }

    // ------------------------------------------------------------------ conditions

    /** Why the readiness gates keep the pod from Ready, as the kubelet says it, or null when they all pass. */
    private static String readinessGatesNotReady(PodSpec spec, List<PodCondition> conditions) {
        List<String> problems = new ArrayList<>();
        for (PodReadinessGate gate : list(spec.getReadinessGates())) {
            PodCondition condition = PodConditions.get(conditions, gate.getConditionType());
            if (condition == null) {
                problems.add("corresponding condition of pod readiness gate \"" + gate.getConditionType()
                        + "\" does not exist.");
            } else if (!"True".equals(condition.getStatus())) {
                problems.add("the status of pod readiness gate \"" + gate.getConditionType() + "\" is not \"True\", "
                        + "but " + condition.getStatus());
            }
        }
        return problems.isEmpty() ? null : String.join(", ", problems);
    }

    private static String names(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }

    private static Map<String, ContainerStatus> byName(List<ContainerStatus> statuses) {
        Map<String, ContainerStatus> map = new HashMap<>();
        for (ContainerStatus s : statuses) {
            map.put(s.getName(), s);
        }
        return map;
    }

    private static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }
}
