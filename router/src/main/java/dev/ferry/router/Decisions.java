package dev.ferry.router;

import dev.ferry.events.Candidate;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.RoutingDecision;
import dev.ferry.router.model.ScoringPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds {@link RoutingDecision} records, the router's explanation of each step it took for a pod. */
final class Decisions {

    private Decisions() {
    }

    static RoutingDecision decision(String decisionId, String intentId, PodId pod, DecisionOutcome outcome,
                                    String poolId, String site, int attempt, String reason,
                                    List<Candidate> candidates, long now) {
        // the all-arguments constructors here and below: Avro's builders validate and copy defaults, which shows on
        // the hot path; a field added to the schema makes these calls fail to compile, so none is forgotten
        return new RoutingDecision(decisionId, intentId == null ? "" : intentId, pod.toRef(), outcome, poolId, site,
                attempt, reason, candidates, Instant.ofEpochMilli(now));
    }

    /**
     * The candidates as the decision record carries them: each with the reasons it could not run the pod, and for
     * eligible pools other than {@code chosen}, why they were not chosen.
     */
    static List<Candidate> candidates(List<dev.ferry.router.model.Candidate> candidates, String chosen,
                                      ScoringPolicy policy) {
        String winnerScore = null;
        for (dev.ferry.router.model.Candidate c : candidates) {
            if (c.poolId().equals(chosen)) {
                winnerScore = round(c.score());
                break;
            }
        }
        List<Candidate> out = new ArrayList<>(candidates.size());
        for (dev.ferry.router.model.Candidate c : candidates) {
            List<String> reasons = c.reasons();
            if (c.eligible() && reasons.isEmpty() && !c.poolId().equals(chosen)) {
                if (!c.fitsNow()) {
                    reasons = List.of("no room now");
                } else if (winnerScore != null) {
                    reasons = List.of("ranked below " + chosen + " by the " + policy.configValue() + " policy (score "
                            + round(c.score()) + " vs " + winnerScore + ")");
                }
            }
            out.add(new Candidate(c.poolId(), c.site(), c.eligible(), Double.isNaN(c.score()) ? null : c.score(), reasons));
        }
        return out;
    }

    /** Three decimals, without {@code String.format} (which is slow on this path). */
    static String round(double score) {
        return java.math.BigDecimal.valueOf(Math.round(score * 1000), 3).toPlainString();
    }
}
