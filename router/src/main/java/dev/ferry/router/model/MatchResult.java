package dev.ferry.router.model;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every pool considered for one pod: eligible ones first, in the scoring policy's order (those where the pod fits
 * now before the others), then the others by pool id.
 *
 * @param candidates the candidates in that order
 * @param unoffered  requested resources that no known pool has at all, e.g. {@code nvidia.com/gpu}
 */
public record MatchResult(List<Candidate> candidates, Set<String> unoffered) {

    /** A rejection message names at most this many pools; the decision record has all of them. */
    static final int MAX_POOLS_IN_MESSAGE = 4;

    public MatchResult {
        candidates = List.copyOf(candidates);
        unoffered = Set.copyOf(unoffered);
        for (int i = 1; i < candidates.size(); i++) {
            if (candidates.get(i).eligible() && !candidates.get(i - 1).eligible()) {
                throw new IllegalArgumentException("eligible candidates come first: " + candidates);
            }
        }
    }

    /** The eligible candidates, in order (they come first). */
    public List<Candidate> eligible() {
        int n = 0;
        while (n < candidates.size() && candidates.get(n).eligible()) {
            n++;
        }
        return candidates.subList(0, n);
    }

    public boolean anyEligible() {
        return !candidates.isEmpty() && candidates.get(0).eligible();
    }

    /**
     * One sentence for the pod's user saying why no pool can run it, e.g. {@code no pool offers nvidia.com/gpu}
     * or {@code no pool can run this pod: gpu-a (site-a): needs nvidia.com/gpu=2, pool offers 1; ...}.
     */
    public String rejection() {
        if (candidates.isEmpty()) {
            return "no pool is known: no executor has advertised a pool yet";
        }
        if (!unoffered.isEmpty()) {
            return "no pool offers " + unoffered.stream().sorted().collect(Collectors.joining(", ")) + " (pools: "
                    + candidates.stream().map(Candidate::poolId).limit(MAX_POOLS_IN_MESSAGE)
                    .collect(Collectors.joining(", "))
                    + (candidates.size() > MAX_POOLS_IN_MESSAGE ? ", ..." : "") + ")";
        }
        List<Candidate> losers = candidates.stream().filter(c -> !c.eligible()).toList();
        String listed = losers.stream().limit(MAX_POOLS_IN_MESSAGE)
                .map(c -> c.poolId() + " (" + c.site() + "): " + String.join(", ", c.reasons()))
                .collect(Collectors.joining("; "));
        int more = losers.size() - Math.min(losers.size(), MAX_POOLS_IN_MESSAGE);
        return "no pool can run this pod: " + listed + (more > 0 ? "; and " + more + " more pools" : "");
    }
}
