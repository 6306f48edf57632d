package dev.ferry.router;

import dev.ferry.events.PoolAdvert;
import dev.ferry.router.model.Candidate;
import dev.ferry.router.model.Resources;
import java.util.List;
import java.util.Objects;

/**
 * What reaches a pool's partition of the router (topic {@code <application-id>-pool-inbox}, key pool id): the
 * pool's adverts, and the routing side's requests about pods. Every message about a pod carries the routing
 * side's {@code ticket}, which the answers repeat, so a late answer to an earlier request is recognised.
 */
public sealed interface PoolMessage permits PoolMessage.AdvertChanged, PoolMessage.Reserve, PoolMessage.Cancel,
        PoolMessage.Release {

    /** The pool id this message is about (the record key). */
    String poolId();

    /**
     * The executor advertised the pool anew.
     *
     * @param poolId the pool
     * @param advert the advert; null when it was deleted from the compacted topic
     */
    record AdvertChanged(String poolId, PoolAdvert advert) implements PoolMessage {
        public AdvertChanged {
            Objects.requireNonNull(poolId, "poolId");
        }
    }

    /**
     * Reserve the pod's request here: at once if it fits, else queue it ({@code mayQueue}) or answer
     * {@link PodMessage.NoRoom}.
     *
     * @param poolId     the pool
     * @param pod        the pod
     * @param ticket     the routing side's request number
     * @param attempt    the routing attempt (grows when a pod is re-routed); travels on to the executor
     * @param mayQueue   queue the pod when it does not fit now
     * @param priority   queue order, higher first
     * @param request    the pod's effective request
     * @param intent     the CREATE intent, Avro single-object encoded, for the RUN command
     * @param candidates every pool considered, for the decision record
     */
    record Reserve(String poolId, PodId pod, long ticket, int attempt, boolean mayQueue, int priority,
                   Resources request, byte[] intent, List<Candidate> candidates) implements PoolMessage {
        public Reserve {
            Objects.requireNonNull(poolId, "poolId");
            Objects.requireNonNull(pod, "pod");
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(intent, "intent");
            candidates = List.copyOf(candidates);
        }
    }

    /**
     * The pod was deleted: take it out of the queue, or tell its site to cancel it.
     *
     * @param poolId the pool the pod was sent to
     * @param pod    the pod
     * @param ticket the request the routing side knows of
     */
    record Cancel(String poolId, PodId pod, long ticket) implements PoolMessage {
        public Cancel {
            Objects.requireNonNull(poolId, "poolId");
            Objects.requireNonNull(pod, "pod");
        }
    }

    /**
     * The pod finished (its executor reported a terminal status): free its reservation and start queued pods.
     *
     * @param poolId the pool the pod ran in
     * @param pod    the pod
     * @param ticket the request the routing side knows of
     */
    record Release(String poolId, PodId pod, long ticket) implements PoolMessage {
        public Release {
            Objects.requireNonNull(poolId, "poolId");
            Objects.requireNonNull(pod, "pod");
        }
    }
}
