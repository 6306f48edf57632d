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
        return RoutingDecision.newBuilder()
                .setDecisionId(decisionId)
                .setIntentId(intentId == null ? "" : intentId)
                .setPod(pod.toRef())
                .setOutcome(outcome)
                .setPoolId(poolId)
                .setSite(site)
                .setAttempt(attempt)
                .setReason(reason)
                .setCandidates(candidates)
                .setDecidedAt(Instant.ofEpochMilli(now))
                .build();
    }

    /**
     * The candidates as the decision record carries them: each with the reasons it could not run the pod, and for
     * eligible pools other than {@code chosen}, why they were not chosen.
     */
    static List<Candidate> candidates(List<dev.ferry.router.model.Candidate> candidates, String chosen,
                                      ScoringPolicy policy) {
        dev.ferry.router.model.Candidate winner = candidates.stream().filter(c -> c.poolId().equals(chosen))
                .findFirst().orElse(null);
        List<Candidate> out = new ArrayList<>(candidates.size());
        for (dev.ferry.router.model.Candidate c : candidates) {
            List<String> reasons = new ArrayList<>(c.reasons());
            if (c.eligible() && !c.poolId().equals(chosen) && reasons.isEmpty()) {
                if (!c.fitsNow()) {
                    reasons.add("no room now");
                } else if (winner != null) {
                    reasons.add("ranked below " + chosen + " by the " + policy.configValue() + " policy (score "
                            + round(c.score()) + " vs " + round(winner.score()) + ")");
                }
            }
            out.add(Candidate.newBuilder()
                    .setPoolId(c.poolId())
                    .setSite(c.site())
                    .setEligible(c.eligible())
                    .setScore(Double.isNaN(c.score()) ? null : c.score())
                    .setReasons(reasons)
                    .build());
        }
        return out;
    }

    /** Three decimals, without {@code String.format} (which is slow on this path). */
    static String round(double score) {
        return java.math.BigDecimal.valueOf(Math.round(score * 1000), 3).toPlainString();
    }
}
