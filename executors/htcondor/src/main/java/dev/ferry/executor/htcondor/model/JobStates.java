package dev.ferry.executor.htcondor.model;

import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A job ClassAd's state mapped to a pod's. {@code JobStatus}: 1 Idle, 2 Running, 3 Removed,
 * 4 Completed, 5 Held, 6 Transferring Output, 7 Suspended. A completed job's outcome comes from
 * {@code ExitBySignal} / {@code ExitSignal} / {@code ExitCode}; a removed job's from its
 * {@code RemoveReason}; a held job stays Pending with its {@code HoldReason} until it has been held
 * for the site's {@code heldTimeout}, then the pod fails and the job should be removed.
 */
public final class JobStates {

    /** The reason a pod gets while its job is held, and when it fails because the job stayed held. */
    public static final String HELD = "JobHeld";
    /** What Ferry writes as the removal reason when it cancels a job. */
    public static final String CANCEL_REASON = "cancelled by Ferry";

    private JobStates() {
    }

    /**
     * What to report for a job, and whether the backend must act on it.
     *
     * @param status        the job's state for the pod
     * @param removeBecause when present, the job has been held too long: remove it with this reason
     */
    public record Mapped(JobStatus status, Optional<String> removeBecause) {
    }

    /**
     * The state of the job in {@code ad} at {@code now}.
     *
     * @param heldTimeout how long a held job keeps its pod Pending
     */
    public static Mapped map(JobAd ad, Instant now, Duration heldTimeout) {
        int state = ad.integer("JobStatus").map(Long::intValue).orElse(0);
        Optional<Instant> started = ad.time("JobCurrentStartExecutingDate");
        Optional<Instant> entered = ad.time("EnteredCurrentStatus");
        return switch (state) {
            case 1 -> plain(status(JobPhase.PENDING, "Queued", "idle in the HTCondor queue, waiting for a matching slot",
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
            case 2, 6 -> plain(status(JobPhase.RUNNING, "Running", state == 6 ? "transferring output" : "", Optional.empty(),
                    Optional.empty(), started, Optional.empty()));
            case 7 -> plain(status(JobPhase.RUNNING, "Suspended", "suspended by HTCondor", Optional.empty(), Optional.empty(), started,
                    Optional.empty()));
            case 4 -> plain(completed(ad, started));
            case 3 -> plain(removed(ad, started, entered));
            case 5 -> held(ad, now, heldTimeout, entered);
            default -> plain(status(JobPhase.PENDING, "Queued", "HTCondor job status " + (state == 0 ? "unknown" : state),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
        };
    }

    private static JobStatus completed(JobAd ad, Optional<Instant> started) {
        Optional<Instant> finished = ad.time("CompletionDate").or(() -> ad.time("EnteredCurrentStatus"));
        if (ad.bool("ExitBySignal").orElse(false)) {
            Optional<Integer> signal = ad.integer("ExitSignal").map(Long::intValue);
            return status(JobPhase.FAILED, "Error", "killed by signal " + signal.map(String::valueOf).orElse("(unknown)"),
                    signal.map(s -> 128 + s), signal, started, finished);
        }
        Optional<Integer> code = ad.integer("ExitCode").map(Long::intValue);
        if (code.isPresent() && code.get() == 0) {
            return status(JobPhase.SUCCEEDED, "Completed", "", code, Optional.empty(), started, finished);
        }
        return status(JobPhase.FAILED, "Error", code.map(c -> "exited with code " + c).orElse("completed without an exit code"),
                code, Optional.empty(), started, finished);
    }

    private static JobStatus removed(JobAd ad, Optional<Instant> started, Optional<Instant> entered) {
        String why = ad.string("RemoveReason").orElse("");
        Optional<Integer> signal = ad.bool("ExitBySignal").orElse(false) ? ad.integer("ExitSignal").map(Long::intValue) : Optional.empty();
        Optional<Integer> code = signal.map(s -> 128 + s);
        Optional<Long> deadline = ad.integer(JobAttributes.DEADLINE);
        if (deadline.isPresent() && why.startsWith("The job attribute PeriodicRemove expression")) {
            return status(JobPhase.FAILED, "DeadlineExceeded", "ran longer than activeDeadlineSeconds (" + deadline.get()
                    + " s): removed by HTCondor", code, signal, started, entered);
        }
        if (why.startsWith(CANCEL_REASON)) {
            return status(JobPhase.FAILED, "Cancelled", "cancelled", code, signal, started, entered);
        }
        return status(JobPhase.FAILED, "Cancelled", "removed from HTCondor" + (why.isEmpty() ? "" : ": " + why), code, signal, started,
                entered);
    }

    private static Mapped held(JobAd ad, Instant now, Duration heldTimeout, Optional<Instant> since) {
        String reason = ad.string("HoldReason").orElse("no reason given");
        String codes = ad.integer("HoldReasonCode").map(c -> " (HoldReasonCode " + c
                + ad.integer("HoldReasonSubCode").map(s -> ", subcode " + s).orElse("") + ")").orElse("");
        String what = "held by HTCondor: " + reason + codes;
        if (since.isPresent() && !now.isBefore(since.get().plus(heldTimeout))) {
            String message = what + "; held for longer than " + describe(heldTimeout) + ", so the pod failed and the job was removed";
            return new Mapped(status(JobPhase.FAILED, HELD, message, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(now)),
                    Optional.of("held for longer than " + describe(heldTimeout) + ": " + reason));
        }
        return plain(status(JobPhase.PENDING, HELD, what, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
    }

    private static String describe(Duration d) {
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    private static Mapped plain(JobStatus status) {
        return new Mapped(status, Optional.empty());
    }

    private static JobStatus status(JobPhase phase, String reason, String message, Optional<Integer> code, Optional<Integer> signal,
                                    Optional<Instant> started, Optional<Instant> finished) {
        return new JobStatus(phase, reason, message, code, signal, started, finished, List.of(), List.of());
    }
}
