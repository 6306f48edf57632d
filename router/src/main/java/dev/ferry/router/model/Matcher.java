package dev.ferry.router.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Matches a pod against pools: a pure function of the pod's requirements, the pools' adverts and published usage,
 * and the time. A pool is eligible when it is READY with a live heartbeat and satisfies every constraint:
 * <ul>
 *   <li>the pod's effective request fits the pool's allocatable (cpu, memory, ephemeral-storage, GPUs and any
 *       extended resource; a resource the pool does not list counts as 0);</li>
 *   <li>every nodeSelector label, and one of the required node affinity terms (In, NotIn, Exists, DoesNotExist,
 *       Gt, Lt; {@code matchFields} on {@code metadata.name} compare with the pool id), hold on the pool's labels;
 *       keys in {@code ignoredNodeLabels} describe the virtual node, which Kubernetes already matched, and are
 *       skipped;</li>
 *   <li>every {@code NoSchedule} and {@code NoExecute} taint of the pool is tolerated;</li>
 *   <li>the backend the pod's annotations imply ({@code slurm-job.vk.io/*}: SLURM) is the pool's;</li>
 *   <li>the pod's namespace is on the pool's allow-list, if it has one;</li>
 *   <li>{@code activeDeadlineSeconds} does not exceed the pool's max walltime.</li>
 * </ul>
 * Every losing pool gets every reason it lost, so the decision explains itself.
 */
public final class Matcher {

    private static final List<String> DEFAULT_SCORED = List.of("cpu", "memory");

    private static final Comparator<Candidate> BY_POOL_ID = Comparator.comparing(Candidate::poolId);

    private final ScoringPolicy policy;
    private final Set<String> ignoredNodeLabels;
    private final Comparator<Candidate> preference;

    public Matcher(ScoringPolicy policy, Set<String> ignoredNodeLabels) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.ignoredNodeLabels = Set.copyOf(ignoredNodeLabels);
        this.preference = preference(policy);
    }

    public ScoringPolicy policy() {
        return policy;
    }

    /** Considers every pool for the pod; see {@link MatchResult} for the order. */
    public MatchResult match(PodRequirements pod, Collection<PoolView> pools, Instant now) {
        Scored scored = new Scored(pod.requests());
        List<Candidate> eligible = new ArrayList<>(pools.size());
        List<Candidate> losers = new ArrayList<>();
        for (PoolView view : pools) {
            List<String> reasons = reasons(pod, view.spec(), now);
            if (reasons.isEmpty()) {
                boolean fitsNow = pod.requests().fitsWithin(view.free());
                eligible.add(new Candidate(view.spec().poolId(), view.spec().site(), true, fitsNow,
                        scored.score(view, PoolView.RESERVED), scored.score(view, PoolView.BACKLOG), List.of()));
            } else {
                losers.add(new Candidate(view.spec().poolId(), view.spec().site(), false, false, Double.NaN,
                        Double.NaN, reasons));
            }
        }
        eligible.sort(preference);
        losers.sort(BY_POOL_ID);
        List<Candidate> all = new ArrayList<>(eligible.size() + losers.size());
        all.addAll(eligible);
        all.addAll(losers);

        // an eligible pool offers every resource the pod requests, so only without one can some be unoffered
        Set<String> unoffered = new TreeSet<>();
        if (eligible.isEmpty()) {
            for (String resource : pod.requests().names()) {
                if (pools.stream().noneMatch(v -> v.offers(resource))) {
                    unoffered.add(resource);
                }
            }
        }
        return new MatchResult(all, pools.isEmpty() ? Set.of() : unoffered);
    }

    /** Fits-now first; then by score (highest first to spread, lowest first to bin-pack); then by pool id. */
    Comparator<Candidate> preference() {
        return preference;
    }

    private static Comparator<Candidate> preference(ScoringPolicy policy) {
        Comparator<Candidate> byScore = Comparator.comparingDouble(Candidate::score);
        if (policy == ScoringPolicy.SPREAD) {
            byScore = byScore.reversed();
        }
        return Comparator.comparing((Candidate c) -> !c.fitsNow()).thenComparing(byScore)
                .thenComparing(Candidate::poolId);
    }

    /**
     * Why this pool cannot run the pod, ever or at {@code now} (state and heartbeat); empty when it can. Capacity
     * in use does not count here: a pool whose allocatable is large enough is eligible even when full.
     */
    public List<String> reasons(PodRequirements pod, PoolSpec pool, Instant now) {
        List<String> reasons = new ArrayList<>();
        String unavailable = pool.unavailableReason(now);
        if (!unavailable.isEmpty()) {
            reasons.add(unavailable);
        }
        pod.backend().ifPresent(backend -> {
            if (!backend.equals(pool.backend())) {
                reasons.add("annotation " + pod.backendBecause() + " needs a " + backend + " pool, this one is "
                        + pool.backend());
            }
        });
        if (!pool.allowedNamespaces().isEmpty() && !pool.allowedNamespaces().contains(pod.namespace())) {
            reasons.add("namespace " + pod.namespace() + " may not use this pool (allowed: "
                    + pool.allowedNamespaces().stream().sorted().collect(Collectors.joining(", ")) + ")");
        }
        for (Map.Entry<String, String> selector : pod.nodeSelector().isEmpty() ? Set.<Map.Entry<String, String>>of()
                : new java.util.TreeMap<>(pod.nodeSelector()).entrySet()) {
            if (ignoredNodeLabels.contains(selector.getKey())) {
                continue;
            }
            String actual = pool.labels().get(selector.getKey());
            if (!selector.getValue().equals(actual)) {
                reasons.add("nodeSelector " + selector.getKey() + "=" + selector.getValue() + ": pool "
                        + (actual == null ? "has no label " + selector.getKey() : "has " + selector.getKey() + "=" + actual));
            }
        }
        affinityReason(pod.affinity(), pool).ifPresent(reasons::add);
        for (Taint taint : pool.taints()) {
            if (taint.blocksScheduling() && pod.tolerations().stream().noneMatch(t -> t.tolerates(taint))) {
                reasons.add("taint " + taint + " is not tolerated");
            }
        }
        if (pod.deadlineSeconds().isPresent() && pool.maxWalltimeSeconds().isPresent()
                && pod.deadlineSeconds().getAsLong() > pool.maxWalltimeSeconds().getAsLong()) {
            reasons.add("activeDeadlineSeconds=" + pod.deadlineSeconds().getAsLong()
                    + " exceeds the pool's max walltime of " + pool.maxWalltimeSeconds().getAsLong() + " s");
        }
        reasons.addAll(pod.requests().shortfalls(pool.allocatable(), "pool offers"));
        return reasons;
    }

    private java.util.Optional<String> affinityReason(List<NodeSelectorTerm> terms, PoolSpec pool) {
        if (terms.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            String failure = termFailure(terms.get(i), pool);
            if (failure.isEmpty()) {
                return java.util.Optional.empty();
            }
            failures.add((terms.size() > 1 ? "term " + (i + 1) + ": " : "") + failure);
        }
        return java.util.Optional.of("required node affinity does not match (" + String.join("; ", failures) + ")");
    }

    private String termFailure(NodeSelectorTerm term, PoolSpec pool) {
        if (term.isEmpty()) {
            return "an empty term matches no pool";
        }
        for (LabelRequirement requirement : term.expressions()) {
            if (!ignoredNodeLabels.contains(requirement.key()) && !requirement.matches(pool.labels())) {
                return requirement.explain(pool.labels());
            }
        }
        Map<String, String> fields = Map.of(NodeSelectorTerm.NAME_FIELD, pool.poolId());
        for (LabelRequirement requirement : term.fields()) {
            if (!requirement.matches(fields)) {
                return requirement + ": pool is " + pool.poolId();
            }
        }
        return "";
    }

    /**
     * Scores one pod against pools: the fraction of the pod's scarcest requested resource left free after placing it
     * beside what the pool uses, {@code min over r of (allocatable[r] - used[r] - request[r]) / allocatable[r]}. A
     * pod that requests nothing is scored by the free fraction of cpu and memory; a pool with neither scores 1. The
     * pod's amounts are turned into doubles once, the pools' come from their views ({@link PoolView#amounts}).
     */
    private static final class Scored {
        private final String[] names;
        private final double[] requested;

        Scored(Resources request) {
            Collection<String> scoredNames = request.isEmpty() ? DEFAULT_SCORED : request.names();
            this.names = scoredNames.toArray(String[]::new);
            this.requested = new double[names.length];
            for (int i = 0; i < names.length; i++) {
                requested[i] = request.get(names[i]).doubleValue();
            }
        }

        /** With {@code used} = the view's {@link PoolView#RESERVED} or {@link PoolView#BACKLOG} amounts. */
        double score(PoolView view, int used) {
            double score = Double.POSITIVE_INFINITY;
            boolean any = false;
            for (int i = 0; i < names.length; i++) {
                double[] amounts = view.amounts(names[i]);
                if (amounts == null || amounts[PoolView.ALLOCATABLE] <= 0) {
                    continue;
                }
                double total = amounts[PoolView.ALLOCATABLE];
                double left = total - amounts[used] - requested[i];
                score = Math.min(score, left / total);
                any = true;
            }
            return any ? score : 1.0;
        }
    }
}
