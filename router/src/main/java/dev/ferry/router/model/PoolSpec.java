package dev.ferry.router.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A pool as its executor advertised it, in the router's terms.
 *
 * @param poolId            the pool id (the key on {@code pools})
 * @param site              the site whose executor runs the pool's pods ({@code jobs.<site>})
 * @param backend           {@code SLURM}, {@code HTCONDOR}, {@code VM}, {@code LOCAL} or {@code UNKNOWN}
 * @param labels            matched against nodeSelector and node affinity
 * @param taints            matched against tolerations
 * @param allocatable       what pods may use in total
 * @param state             the advertised state
 * @param heartbeatAt       when the executor last advertised the pool
 * @param heartbeatTtl      how long after {@code heartbeatAt} the advert is stale (treated as DOWN)
 * @param allowedNamespaces the namespaces allowed to use the pool; empty means all
 * @param maxWalltimeSeconds the longest a pod may run there, if limited
 * @param message           why the pool is not READY, when the executor said
 * @param defects           what is wrong with the advert (unparsable allocatable, illegal site name); a pool
 *                          with defects receives no pods
 */
public record PoolSpec(
        String poolId,
        String site,
        String backend,
        Map<String, String> labels,
        List<Taint> taints,
        Resources allocatable,
        PoolState state,
        Instant heartbeatAt,
        Duration heartbeatTtl,
        Set<String> allowedNamespaces,
        OptionalLong maxWalltimeSeconds,
        String message,
        List<String> defects) {

    public PoolSpec {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(backend, "backend");
        labels = Map.copyOf(labels);
        taints = List.copyOf(taints);
        Objects.requireNonNull(allocatable, "allocatable");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(heartbeatAt, "heartbeatAt");
        Objects.requireNonNull(heartbeatTtl, "heartbeatTtl");
        allowedNamespaces = Set.copyOf(allowedNamespaces);
        Objects.requireNonNull(maxWalltimeSeconds, "maxWalltimeSeconds");
        message = message == null ? "" : message;
        defects = List.copyOf(defects);
    }

    /** When the advert goes stale. */
    public Instant expiresAt() {
        return heartbeatAt.plus(heartbeatTtl);
    }

    /**
     * Why the pool cannot take pods at {@code now} regardless of the pod (not READY, heartbeat expired, a defective
     * advert); empty when it can.
     */
    public String unavailableReason(Instant now) {
        if (!defects.isEmpty()) {
            return "pool's advert is invalid: " + String.join("; ", defects);
        }
        if (state != PoolState.READY) {
            return "pool is " + state + (message.isEmpty() ? "" : ": " + message);
        }
        if (now.isAfter(expiresAt())) {
            return "pool's executor stopped heartbeating (last heartbeat " + heartbeatAt + ", expires after "
                    + heartbeatTtl.toSeconds() + " s)";
        }
        return "";
    }
}
