package dev.ferry.executor.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One container's state as the backend can tell it.
 *
 * @param name       the container's name
 * @param state      waiting, running or terminated
 * @param exitCode   the exit code once terminated
 * @param signal     the signal that ended it, when one did
 * @param reason     CamelCase reason ({@code Completed}, {@code Error}, {@code Cancelled}, ...); empty when none
 * @param startedAt  when it started
 * @param finishedAt when it ended
 */
public record ContainerStatusInfo(
        String name,
        State state,
        Optional<Integer> exitCode,
        Optional<Integer> signal,
        String reason,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt) {

    public ContainerStatusInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(signal, "signal");
        reason = reason == null ? "" : reason;
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
    }

    public static ContainerStatusInfo waiting(String name, String reason) {
        return new ContainerStatusInfo(name, State.WAITING, Optional.empty(), Optional.empty(), reason, Optional.empty(), Optional.empty());
    }

    /** A container's state. */
    public enum State {
        WAITING,
        RUNNING,
        TERMINATED
    }
}
