package dev.ferry.executor.spi;

import java.util.Objects;

/**
 * A submitted job: its identity and the backend's own id for it (Slurm job id, HTCondor
 * {@code cluster.proc}, VM host and unit name).
 */
public record JobHandle(JobIdentity identity, String backendJobId) {
    public JobHandle {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(backendJobId, "backendJobId");
        if (backendJobId.isBlank()) {
            throw new IllegalArgumentException("backendJobId must not be blank");
        }
    }
}
