package dev.ferry.router;

import dev.ferry.router.model.Resources;
import java.util.Objects;

/**
 * What a pool's partition holds for one pod (store {@value RouterTopology#HOLDINGS_STORE}, key
 * {@code poolId NUL uid}): a reservation, or a place in the queue.
 *
 * @param pod        the pod
 * @param ticket     the routing side's request it answers
 * @param attempt    the routing attempt
 * @param site       the pool's site, where RUN went (and CANCEL goes)
 * @param request    the reserved (or waiting) amounts
 * @param queueKey   its key in the queue store while it waits; null once it holds a reservation
 * @param cancelSent CANCEL went to the site
 */
record Holding(PodId pod, long ticket, int attempt, String site, Resources request, String queueKey,
               boolean cancelSent) {

    Holding {
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(request, "request");
    }

    boolean queued() {
        return queueKey != null;
    }

    Holding reserved() {
        return new Holding(pod, ticket, attempt, site, request, null, cancelSent);
    }

    Holding cancelled() {
        return new Holding(pod, ticket, attempt, site, request, queueKey, true);
    }
}
