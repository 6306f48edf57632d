package dev.ferry.executor.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One pool of a site as the backend sees it (a Slurm partition, an HTCondor pool, a VM host group).
 *
 * @param name        backend-local name; the runtime advertises it as {@code <site>/<name>}
 * @param capacity    resource name to Kubernetes quantity ({@code cpu}, {@code memory}, {@code nvidia.com/gpu}, {@code pods})
 * @param allocatable what is free now, same keys
 * @param state       ready, draining (runs what it has, takes nothing new) or down
 * @param maxWalltime the longest job the pool accepts, if limited
 * @param labels      backend-specific labels (the runtime adds {@code ferry.dev/site}, {@code /pool}, {@code /backend})
 * @param message     why the pool is not ready, when it is not; empty otherwise
 */
public record PoolInfo(
        String name,
        Map<String, String> capacity,
        Map<String, String> allocatable,
        PoolCondition state,
        Optional<Duration> maxWalltime,
        Map<String, String> labels,
        String message) {

    public PoolInfo {
        Objects.requireNonNull(name, "name");
        capacity = Map.copyOf(capacity);
        allocatable = Map.copyOf(allocatable);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(maxWalltime, "maxWalltime");
        labels = Map.copyOf(labels);
        message = message == null ? "" : message;
    }

    /** A pool's condition. */
    public enum PoolCondition {
        READY,
        DRAINING,
        DOWN
    }
}
