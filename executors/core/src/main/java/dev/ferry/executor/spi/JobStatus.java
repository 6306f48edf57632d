package dev.ferry.executor.spi;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job's state as the backend reports it. The runtime publishes a pod status whenever this
 * value changes (ignoring nothing but time of observation), so a backend should fill it only
 * with facts that change when the job does.
 *
 * @param phase          where the job is
 * @param reason         a CamelCase reason ({@code Completed}, {@code Error}, {@code Cancelled},
 *                       {@code DeadlineExceeded}, {@code Submitted}, ...)
 * @param message        what happened, in words a user can act on; may be empty
 * @param exitCode       the job's exit code when finished
 * @param signal         the signal that ended the job, when one did
 * @param startedAt      when the job started running
 * @param finishedAt     when it finished
 * @param initContainers per init container, as far as the backend can tell
 * @param containers     per container, as far as the backend can tell
 */
public record JobStatus(
        JobPhase phase,
        String reason,
        String message,
        Optional<Integer> exitCode,
        Optional<Integer> signal,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        List<ContainerStatusInfo> initContainers,
        List<ContainerStatusInfo> containers) {

    public JobStatus {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(reason, "reason");
        message = message == null ? "" : message;
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        initContainers = List.copyOf(initContainers);
        containers = List.copyOf(containers);
    }

    /** A status with only a phase, reason and message. */
    public static JobStatus of(JobPhase phase, String reason, String message) {
        return new JobStatus(phase, reason, message, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(), List.of());
    }

    public boolean isTerminal() {
        return phase.isTerminal();
    }

    /** Where a job is. */
    public enum JobPhase {
        /** Accepted, waiting to run (queued, held, being requeued). */
        PENDING,
        /** Running (or finishing: the backend is cleaning up). */
        RUNNING,
        /** Finished, every container exited 0. */
        SUCCEEDED,
        /** Finished any other way: non-zero exit, signal, cancel, time limit, node failure, rejected. */
        FAILED;

        public boolean isTerminal() {
            return this == SUCCEEDED || this == FAILED;
        }
    }
}
