package dev.ferry.router.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Matching without Kafka: every constraint, the reasons a user reads, and the scoring order. */
class MatcherTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final Matcher spread = new Matcher(ScoringPolicy.SPREAD, Set.of("kubernetes.io/hostname"));
    private final Matcher binPack = new Matcher(ScoringPolicy.BIN_PACK, Set.of());

    static PoolSpec pool(String id, Map<String, String> allocatable) {
        return pool(id, allocatable, Map.of(), List.of());
    }

    static PoolSpec pool(String id, Map<String, String> allocatable, Map<String, String> labels, List<Taint> taints) {
        return new PoolSpec(id, "site-" + id, "SLURM", labels, taints, Resources.parse(allocatable), PoolState.READY, NOW,
                Duration.ofSeconds(60), Set.of(), OptionalLong.empty(), "", List.of());
    }

    static PoolView view(PoolSpec spec, Map<String, String> reserved) {
        return new PoolView(spec, new PoolUsage(Resources.parse(reserved), Resources.NONE, 0, 0), 1);
    }

    static PodRequirements pod(Map<String, String> requests) {
        return PodRequirements.of("default", Resources.parse(requests));
    }

    @Test
    void resourcesAreComparedWithAllocatableWhateverTheirName() {
        PoolSpec gpu = pool("gpu", Map.of("cpu", "64", "memory", "256Gi", "nvidia.com/gpu", "4", "example.com/fpga", "1"));

        assertThat(spread.reasons(pod(Map.of("cpu", "500m", "memory", "2Gi", "nvidia.com/gpu", "4")), gpu, NOW)).isEmpty();
        assertThat(spread.reasons(pod(Map.of("nvidia.com/gpu", "5", "example.com/fpga", "2", "ephemeral-storage", "1Gi")),
                gpu, NOW)).containsExactly(
                "needs ephemeral-storage=1Gi, pool offers 0",
                "needs example.com/fpga=2, pool offers 1",
                "needs nvidia.com/gpu=5, pool offers 4");
    }

    @Test
    void nodeSelectorLabelsMustAllBeOnThePoolExceptTheVirtualNodesOwn() {
        PoolSpec a100 = pool("a", Map.of("cpu", "8"), Map.of("gpu-type", "a100", "zone", "eu"), List.of());
        PodRequirements pod = new PodRequirements("default", Resources.NONE,
                Map.of("gpu-type", "a100", "kubernetes.io/hostname", "ferry-node", "rack", "r1"), List.of(), List.of(),
                Optional.empty(), "", OptionalLong.empty(), 0);

        assertThat(spread.reasons(pod, a100, NOW)).containsExactly("nodeSelector rack=r1: pool has no label rack");
    }

    @ParameterizedTest(name = "{0} {1} {2} on zone=eu, cores=64: {3}")
    @CsvSource({
            "zone, In, eu|us, true",
            "zone, In, us, false",
            "zone, NotIn, us, true",
            "zone, NotIn, eu, false",
            "missing, NotIn, x, true",
            "zone, Exists, '', true",
            "missing, Exists, '', false",
            "missing, DoesNotExist, '', true",
            "zone, DoesNotExist, '', false",
            "cores, Gt, 32, true",
            "cores, Gt, 64, false",
            "cores, Lt, 65, true",
            "cores, Lt, 64, false",
            "zone, Gt, 1, false",
            "missing, Lt, 1, false"})
    void nodeAffinityOperatorsFollowKubernetes(String key, String operator, String values, boolean matches) {
        LabelRequirement requirement = new LabelRequirement(key, LabelRequirement.Operator.valueOf(operator),
                values.isEmpty() ? List.of() : List.of(values.split("\\|")));
        assertThat(requirement.matches(Map.of("zone", "eu", "cores", "64"))).isEqualTo(matches);
    }

    @Test
    void affinityTermsAreAlternativesAndTheirRequirementsMustAllHold() {
        PoolSpec eu = pool("eu-1", Map.of("cpu", "8"), Map.of("zone", "eu", "tier", "gold"), List.of());
        NodeSelectorTerm us = new NodeSelectorTerm(List.of(req("zone", LabelRequirement.Operator.In, "us")), List.of());
        NodeSelectorTerm euSilver = new NodeSelectorTerm(List.of(req("zone", LabelRequirement.Operator.In, "eu"),
                req("tier", LabelRequirement.Operator.In, "silver")), List.of());
        NodeSelectorTerm euByName = new NodeSelectorTerm(List.of(),
                List.of(req(NodeSelectorTerm.NAME_FIELD, LabelRequirement.Operator.In, "eu-1")));

        assertThat(spread.reasons(affine(us, euSilver), eu, NOW)).containsExactly(
                "required node affinity does not match (term 1: zone In [us]: pool has zone=eu; "
                        + "term 2: tier In [silver]: pool has tier=gold)");
        assertThat(spread.reasons(affine(us, euByName), eu, NOW)).isEmpty();
        assertThat(spread.reasons(affine(new NodeSelectorTerm(List.of(), List.of())), eu, NOW))
                .containsExactly("required node affinity does not match (an empty term matches no pool)");
    }

    @Test
    void taintsThatBlockMustBeTolerated() {
        PoolSpec tainted = pool("t", Map.of("cpu", "8"), Map.of(), List.of(new Taint("dedicated", "hpc", "NoSchedule"),
                new Taint("virtual-node.interlink/no-schedule", "true", "NoSchedule"),
                new Taint("soft", "", "PreferNoSchedule")));
        Toleration dedicated = new Toleration("dedicated", "Equal", "hpc", "NoSchedule");
        Toleration interlink = new Toleration("virtual-node.interlink/no-schedule", "Exists", null, null);

        assertThat(spread.reasons(tolerating(), tainted, NOW)).containsExactly(
                "taint dedicated=hpc:NoSchedule is not tolerated",
                "taint virtual-node.interlink/no-schedule=true:NoSchedule is not tolerated");
        assertThat(spread.reasons(tolerating(dedicated, interlink), tainted, NOW)).isEmpty();
        assertThat(spread.reasons(tolerating(new Toleration(null, "Exists", null, null)), tainted, NOW)).isEmpty();
        assertThat(spread.reasons(tolerating(new Toleration("dedicated", "Equal", "gpu", null), interlink), tainted, NOW))
                .containsExactly("taint dedicated=hpc:NoSchedule is not tolerated");
        assertThat(spread.reasons(tolerating(new Toleration("dedicated", "Exists", null, "NoExecute"), interlink),
                tainted, NOW)).containsExactly("taint dedicated=hpc:NoSchedule is not tolerated");
    }

    @Test
    void aPoolThatIsNotReadyOrSilentIsNotEligible() {
        PoolSpec ready = pool("p", Map.of("cpu", "8"));
        PoolSpec down = new PoolSpec("p", "s", "SLURM", Map.of(), List.of(), ready.allocatable(), PoolState.DOWN, NOW,
                Duration.ofSeconds(60), Set.of(), OptionalLong.empty(), "sinfo failed", List.of());

        assertThat(spread.reasons(pod(Map.of()), down, NOW)).containsExactly("pool is DOWN: sinfo failed");
        assertThat(spread.reasons(pod(Map.of()), ready, NOW.plusSeconds(60))).isEmpty();
        assertThat(spread.reasons(pod(Map.of()), ready, NOW.plusSeconds(61))).singleElement().asString()
                .isEqualTo("pool's executor stopped heartbeating (last heartbeat 2026-01-01T00:00:00Z, expires after 60 s)");
    }

    @Test
    void spreadPrefersTheMostLeftOfTheScarcestResourceAndBinPackTheLeast() {
        PoolView roomyCpuTightGpu = view(pool("a", Map.of("cpu", "64", "nvidia.com/gpu", "4")), Map.of("nvidia.com/gpu", "2"));
        PoolView tightCpuRoomyGpu = view(pool("b", Map.of("cpu", "16", "nvidia.com/gpu", "8")), Map.of("cpu", "8"));
        PoolView full = view(pool("c", Map.of("cpu", "64", "nvidia.com/gpu", "8")), Map.of("nvidia.com/gpu", "8"));
        PodRequirements pod = pod(Map.of("cpu", "4", "nvidia.com/gpu", "1"));
        List<PoolView> pools = List.of(full, roomyCpuTightGpu, tightCpuRoomyGpu);

        // a: gpu (4-2-1)/4 = 0.25; b: cpu (16-8-4)/16 = 0.25, gpu 7/8: min 0.25 - a tie, broken by id
        assertThat(spread.match(pod, pools, NOW).candidates()).extracting(Candidate::poolId).containsExactly("a", "b", "c");
        assertThat(spread.match(pod, pools, NOW).candidates().get(2).fitsNow()).isFalse();

        PoolView emptier = view(pool("d", Map.of("cpu", "64", "nvidia.com/gpu", "8")), Map.of());
        List<PoolView> more = List.of(full, roomyCpuTightGpu, emptier);
        assertThat(spread.match(pod, more, NOW).candidates()).extracting(Candidate::poolId).containsExactly("d", "a", "c");
        assertThat(binPack.match(pod, more, NOW).candidates()).extracting(Candidate::poolId).containsExactly("a", "d", "c");
    }

    @Test
    void aPodThatRequestsNothingIsScoredByFreeCpuAndMemory() {
        PoolView busy = view(pool("busy", Map.of("cpu", "8", "memory", "8Gi")), Map.of("cpu", "6"));
        PoolView idle = view(pool("idle", Map.of("cpu", "8", "memory", "8Gi")), Map.of());

        assertThat(spread.match(pod(Map.of()), List.of(busy, idle), NOW).candidates())
                .extracting(Candidate::poolId).containsExactly("idle", "busy");
    }

    @Test
    void aRejectionSaysWhichResourceNoPoolOffers() {
        List<PoolView> pools = List.of(view(pool("a", Map.of("cpu", "8")), Map.of()), view(pool("b", Map.of("cpu", "8")), Map.of()));

        assertThat(spread.match(pod(Map.of("nvidia.com/gpu", "1")), pools, NOW).rejection())
                .isEqualTo("no pool offers nvidia.com/gpu (pools: a, b)");
        assertThat(spread.match(pod(Map.of("cpu", "16")), pools, NOW).rejection())
                .isEqualTo("no pool can run this pod: a (site-a): needs cpu=16, pool offers 8; "
                        + "b (site-b): needs cpu=16, pool offers 8");
        assertThat(spread.match(pod(Map.of("cpu", "1")), List.of(), NOW).rejection())
                .isEqualTo("no pool is known: no executor has advertised a pool yet");
    }

    private static LabelRequirement req(String key, LabelRequirement.Operator op, String... values) {
        return new LabelRequirement(key, op, List.of(values));
    }

    private static PodRequirements affine(NodeSelectorTerm... terms) {
        return new PodRequirements("default", Resources.NONE, Map.of(), List.of(terms), List.of(), Optional.empty(), "",
                OptionalLong.empty(), 0);
    }

    private static PodRequirements tolerating(Toleration... tolerations) {
        return new PodRequirements("default", Resources.NONE, Map.of(), List.of(), List.of(tolerations), Optional.empty(),
                "", OptionalLong.empty(), 0);
    }
}
