package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.CommandType;
import dev.ferry.events.Container;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.IntentOperation;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolState;
import dev.ferry.events.RoutingDecision;
import dev.ferry.events.StatusSource;
import dev.ferry.fixtures.Pods;
import dev.ferry.router.testing.PoolAdverts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The router's rules, end to end through its topology in a {@code TopologyTestDriver}. */
class RouterTopologyTest {

    private final RouterDriver router = new RouterDriver();

    @AfterEach
    void close() {
        router.close();
    }

    private static PodIntent pod(String name, String cpu) {
        return Pods.named(name).withUid("uid-" + name).requesting("cpu", cpu).create();
    }

    private static List<String> uids(List<JobCommand> commands) {
        return commands.stream().map(c -> c.getPod().getUid()).toList();
    }

    @Nested
    class Matching {

        @Test
        void runsThePodAtTheSiteOfTheOnlyPoolThatCanRunIt() {
            router.advertise(PoolAdverts.pool("cpu-only").site("site-a"))
                    .advertise(PoolAdverts.pool("gpu").site("site-b").allocatable("nvidia.com/gpu", "4"));
            PodIntent train = Pods.named("train").withUid("uid-train").requesting("nvidia.com/gpu", "2").create();

            router.submit(train);

            assertThat(router.runs("site-a")).isEmpty();
            JobCommand run = router.runs("site-b").get(0);
            assertThat(run.getPoolId()).isEqualTo("gpu");
            assertThat(run.getIntent()).isEqualTo(train);
            assertThat(run.getAttempt()).isZero();
            RoutingDecision decision = router.decisionsFor("uid-train").get(0);
            assertThat(decision.getOutcome()).isEqualTo(DecisionOutcome.ASSIGNED);
            assertThat(decision.getPoolId()).isEqualTo("gpu");
            assertThat(decision.getSite()).isEqualTo("site-b");
            assertThat(decision.getCandidates()).anySatisfy(c -> {
                assertThat(c.getPoolId()).isEqualTo("cpu-only");
                assertThat(c.getEligible()).isFalse();
                assertThat(c.getReasons()).containsExactly("needs nvidia.com/gpu=2, pool offers 0");
            });
        }

        @Test
        void rejectsAtOnceAPodThatNoPoolCanEverRunAndSaysWhatIsMissing() {
            router.advertise(PoolAdverts.pool("cpu-a")).advertise(PoolAdverts.pool("cpu-b").site("site-b"));

            router.submit(Pods.named("train").withUid("uid-train").requesting("nvidia.com/gpu", "1").create());

            assertThat(router.runs("site-a", "site-b")).isEmpty();
            RoutingDecision decision = router.decisionsFor("uid-train").get(0);
            assertThat(decision.getOutcome()).isEqualTo(DecisionOutcome.REJECTED);
            assertThat(decision.getReason()).startsWith("no pool offers nvidia.com/gpu");
            assertThat(decision.getCandidates()).hasSize(2).allSatisfy(c -> assertThat(c.getEligible()).isFalse());
            PodStatusEvent status = router.statusesFor("uid-train").get(0);
            assertThat(status.getPhase()).isEqualTo(PodPhase.FAILED);
            assertThat(status.getReason()).isEqualTo("Unschedulable");
            assertThat(status.getMessage()).startsWith("no pool offers nvidia.com/gpu");
            assertThat(status.getSource()).isEqualTo(StatusSource.ROUTER);
            assertThat(status.getSequence()).isEqualTo(1);
        }

        @Test
        void selectorsTaintsBackendNamespaceAndWalltimeAllDecide() {
            router.advertise(PoolAdverts.pool("condor").site("site-c").backend(dev.ferry.events.Backend.HTCONDOR))
                    .advertise(PoolAdverts.pool("tainted").site("site-t").taint("dedicated", "hpc", "NoSchedule"))
                    .advertise(PoolAdverts.pool("team-b-only").site("site-n").namespaces("team-b"))
                    .advertise(PoolAdverts.pool("short").site("site-s").maxWalltime(3600))
                    .advertise(PoolAdverts.pool("a100").site("site-g").label("gpu-type", "a100"))
                    .advertise(PoolAdverts.pool("v100").site("site-v").label("gpu-type", "v100"));
            PodIntent pod = Pods.named("long-a100").withUid("uid-1").inNamespace("team-a")
                    .annotation("slurm-job.vk.io/flags", "--gres=gpu:1").activeDeadlineSeconds(7200)
                    .nodeSelector("gpu-type", "a100").nodeSelector("kubernetes.io/hostname", "ferry-vk").create();

            router.submit(pod);

            assertThat(router.runs("site-g").get(0).getPoolId()).isEqualTo("a100");
            Map<String, List<String>> reasons = new java.util.TreeMap<>();
            router.decisionsFor("uid-1").get(0).getCandidates()
                    .forEach(c -> reasons.put(c.getPoolId(), List.copyOf(c.getReasons())));
            assertThat(reasons.get("condor")).contains("annotation slurm-job.vk.io/flags needs a SLURM pool, this one is HTCONDOR");
            assertThat(reasons.get("tainted")).contains("taint dedicated=hpc:NoSchedule is not tolerated");
            assertThat(reasons.get("team-b-only")).contains("namespace team-a may not use this pool (allowed: team-b)");
            assertThat(reasons.get("short")).contains("activeDeadlineSeconds=7200 exceeds the pool's max walltime of 3600 s");
            assertThat(reasons.get("v100")).contains("nodeSelector gpu-type=a100: pool has gpu-type=v100");
            assertThat(reasons.get("a100")).isEmpty();
        }

        @Test
        void spreadPicksTheEmptierPoolAndBinPackTheFullerOne() {
            try (RouterDriver binPack = new RouterDriver(Map.of(RouterConfig.SCORING, "bin-pack"))) {
                for (RouterDriver r : List.of(router, binPack)) {
                    r.advertise(PoolAdverts.pool("small").site("site-s").only().allocatable("cpu", "4"))
                            .advertise(PoolAdverts.pool("large").site("site-l").only().allocatable("cpu", "16"));
                    r.submit(pod("p", "2"));
                }
                assertThat(router.runs("site-s", "site-l")).extracting(JobCommand::getPoolId).containsExactly("large");
                assertThat(binPack.runs("site-s", "site-l")).extracting(JobCommand::getPoolId).containsExactly("small");
                assertThat(router.decisionsFor("uid-p").get(0).getCandidates())
                        .filteredOn(c -> c.getPoolId().equals("small")).singleElement()
                        .satisfies(c -> assertThat(c.getReasons()).singleElement().asString()
                                .startsWith("ranked below large by the spread policy"));
            }
        }

        @Test
        void equalScoresAreBrokenByPoolId() {
            router.advertise(PoolAdverts.pool("pool-b").site("site-b")).advertise(PoolAdverts.pool("pool-a").site("site-a"));

            router.submit(pod("p", "1"));

            assertThat(router.runs("site-a", "site-b")).extracting(JobCommand::getPoolId).containsExactly("pool-a");
        }

        @Test
        void poolsThatAreDownDrainingOrSilentAreSkippedWithTheirReason() {
            router.advertise(PoolAdverts.pool("down").site("site-d").state(PoolState.DOWN, "slurmctld unreachable"))
                    .advertise(PoolAdverts.pool("draining").site("site-r").state(PoolState.DRAINING, null))
                    .advertise(PoolAdverts.pool("silent").site("site-s").heartbeat(PoolAdverts.AT.minusSeconds(120), 60))
                    .advertise(PoolAdverts.pool("up").site("site-u"));

            router.submit(pod("p", "1"));

            assertThat(router.runs("site-d", "site-r", "site-s", "site-u")).extracting(JobCommand::getPoolId)
                    .containsExactly("up");
            Map<String, List<String>> reasons = new java.util.TreeMap<>();
            router.decisionsFor("uid-p").get(0).getCandidates()
                    .forEach(c -> reasons.put(c.getPoolId(), List.copyOf(c.getReasons())));
            assertThat(reasons.get("down")).containsExactly("pool is DOWN: slurmctld unreachable");
            assertThat(reasons.get("draining")).containsExactly("pool is DRAINING");
            assertThat(reasons.get("silent")).singleElement().asString().startsWith("pool's executor stopped heartbeating");
        }

        @Test
        void aPoolWhoseAdvertIsDefectiveShowsWhyItGetsNoPods() {
            router.advertise(PoolAdverts.pool("broken").allocatable("cpu", "-4"));

            router.submit(pod("p", "1"));

            assertThat(router.decisionsFor("uid-p").get(0).getCandidates()).singleElement()
                    .satisfies(c -> assertThat(c.getReasons()).contains(
                            "pool's advert is invalid: allocatable.cpu: '-4' is negative"));
        }
    }

    @Nested
    class BadInput {

        @Test
        void negativeAndUnparsableQuantitiesEmptyContainersAndUnknownOperationsAreRejectedWithTheReason() {
            router.advertise(PoolAdverts.pool("pool"));
            PodIntent negative = Pods.named("neg").withUid("uid-neg").requesting("cpu", "-1").create();
            PodIntent garbage = Pods.named("bad").withUid("uid-bad").requesting("memory", "2 GB").create();
            PodIntent full = Pods.named("empty").withUid("uid-empty").create();
            PodIntent empty = PodIntent.newBuilder(full)
                    .setSpec(PodSpecSnapshot.newBuilder(full.getSpec()).setContainers(List.<Container>of()).build()).build();
            PodIntent unknown = PodIntent.newBuilder(Pods.named("odd").withUid("uid-odd").create())
                    .setOperation(IntentOperation.UNKNOWN).build();

            router.submit(negative).submit(garbage).submit(empty).submit(unknown).submit(pod("good", "1"));

            assertThat(router.statusesFor("uid-neg").get(0).getMessage())
                    .isEqualTo("spec.containers[0] (main).resources.requests.cpu: '-1' is negative "
                            + "(write a non-negative quantity such as 500m, 2Gi, 1.5 or 1e3)");
            assertThat(router.statusesFor("uid-bad").get(0).getMessage())
                    .startsWith("spec.containers[0] (main).resources.requests.memory: '2 GB' has an unknown suffix");
            assertThat(router.statusesFor("uid-empty").get(0).getMessage())
                    .isEqualTo("spec.containers is empty: a pod needs at least one container");
            assertThat(router.statusesFor("uid-odd").get(0).getMessage()).contains("has operation UNKNOWN");
            for (String uid : List.of("uid-neg", "uid-bad", "uid-empty", "uid-odd")) {
                assertThat(router.decisionsFor(uid)).singleElement()
                        .satisfies(d -> assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.REJECTED));
                assertThat(router.statusesFor(uid)).singleElement().satisfies(s -> {
                    assertThat(s.getPhase()).isEqualTo(PodPhase.FAILED);
                    assertThat(s.getReason()).isEqualTo("InvalidPodSpec");
                });
            }
            assertThat(uids(router.runs("site-a"))).containsExactly("uid-good");
        }

        @Test
        void aRecordThatCannotBeDecodedDoesNotStopTheRouter() {
            router.advertise(PoolAdverts.pool("pool"));

            router.rawIntents.pipeInput("uid-garbage", new byte[] {1, 2, 3});
            router.submit(pod("good", "1"));

            assertThat(uids(router.runs("site-a"))).containsExactly("uid-good");
        }

        @Test
        void anUndecodableIntentFailsItsPodWhenTheRouterDoesNotKnowIt() {
            router.podInbox.pipeInput("uid-x", new PodMessage.Undecodable("NOT_AVRO: value is not in the wire format"));

            PodStatusEvent status = router.statusesFor("uid-x").get(0);
            assertThat(status.getPhase()).isEqualTo(PodPhase.FAILED);
            assertThat(status.getReason()).isEqualTo("UndecodableIntent");
            assertThat(status.getMessage()).contains("moved to dead-letters: NOT_AVRO");
        }
    }

    @Nested
    class Queueing {

        @Test
        void aPodThatDoesNotFitWaitsAndStartsWhenAnotherFinishes() {
            router.advertise(PoolAdverts.pool("pool").only().allocatable("cpu", "2"));

            router.submit(pod("one", "1")).submit(pod("two", "1")).submit(pod("three", "1"));

            assertThat(uids(router.runs("site-a"))).containsExactly("uid-one", "uid-two");
            assertThat(router.decisionsFor("uid-three")).singleElement().satisfies(d -> {
                assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.QUEUED);
                assertThat(d.getPoolId()).isEqualTo("pool");
            });
            assertThat(router.statusesFor("uid-three")).singleElement().satisfies(s -> {
                assertThat(s.getPhase()).isEqualTo(PodPhase.PENDING);
                assertThat(s.getReason()).isEqualTo("Queued");
                assertThat(s.getMessage()).startsWith("waiting for capacity in pool pool at site site-a: position 1 of 1");
                assertThat(s.getSource()).isEqualTo(StatusSource.ROUTER);
            });

            router.finish("uid-one", PodPhase.SUCCEEDED);

            assertThat(uids(router.runs("site-a"))).containsExactly("uid-one", "uid-two", "uid-three");
            assertThat(router.decisionsFor("uid-three")).last().satisfies(d -> {
                assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.ASSIGNED);
                assertThat(d.getReason()).startsWith("started from the queue of pool pool");
            });
        }

        @Test
        void theQueueIsOrderedByPriorityThenArrival() {
            router.advertise(PoolAdverts.pool("pool").only().allocatable("cpu", "1"));
            router.submit(pod("running", "1"));
            router.submit(Pods.named("low-1").withUid("uid-low-1").requesting("cpu", "1").create())
                    .submit(Pods.named("low-2").withUid("uid-low-2").requesting("cpu", "1").create())
                    .submit(Pods.named("high").withUid("uid-high").requesting("cpu", "1").priority(100).create())
                    .submit(Pods.named("negative").withUid("uid-negative").requesting("cpu", "1").priority(-5).create());

            router.finish("uid-running", PodPhase.SUCCEEDED);
            router.finish("uid-high", PodPhase.FAILED);
            router.finish("uid-low-1", PodPhase.SUCCEEDED);
            router.finish("uid-low-2", PodPhase.SUCCEEDED);

            assertThat(uids(router.runs("site-a")))
                    .containsExactly("uid-running", "uid-high", "uid-low-1", "uid-low-2", "uid-negative");
        }

        @Test
        void theHeadOfTheQueueIsNotOvertakenBySmallerPods() {
            router.advertise(PoolAdverts.pool("pool").only().allocatable("cpu", "4"));
            router.submit(pod("a", "3")).submit(pod("big", "4")).submit(pod("small", "1"));

            assertThat(uids(router.runs("site-a"))).containsExactly("uid-a");
            router.finish("uid-a", PodPhase.SUCCEEDED);
            assertThat(uids(router.runs("site-a"))).containsExactly("uid-a", "uid-big");
            router.finish("uid-big", PodPhase.SUCCEEDED);
            assertThat(uids(router.runs("site-a"))).containsExactly("uid-a", "uid-big", "uid-small");
        }

        @Test
        void aFullPoolIsPassedOverForOneWithRoomEvenWhenThePublishedUsageLags() {
            router.advertise(PoolAdverts.pool("big").site("site-b").only().allocatable("cpu", "2"))
                    .advertise(PoolAdverts.pool("small").site("site-s").only().allocatable("cpu", "1"));

            // no settle() in between: the routing side still believes "big" is empty when the third pod comes
            router.submit(pod("one", "1")).submit(pod("two", "1")).submit(pod("three", "1"));

            assertThat(router.runs("site-b", "site-s")).extracting(c -> c.getPod().getName() + "@" + c.getPoolId())
                    .containsExactlyInAnyOrder("one@big", "two@big", "three@small");
            assertThat(router.decisionsFor("uid-three")).singleElement().satisfies(d -> {
                assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.ASSIGNED);
                assertThat(d.getCandidates()).filteredOn(c -> c.getPoolId().equals("big")).singleElement()
                        .satisfies(c -> assertThat(c.getReasons()).contains("no room when tried"));
            });
        }
    }

    @Nested
    class Deletes {

        @Test
        void deletingAQueuedPodRemovesItFromTheQueueAndEndsIt() {
            router.advertise(PoolAdverts.pool("pool").only().allocatable("cpu", "1"));
            router.submit(pod("running", "1")).submit(pod("waiting", "1")).submit(pod("next", "1"));

            router.submit(Pods.named("waiting").withUid("uid-waiting").delete());

            assertThat(router.decisionsFor("uid-waiting")).last().satisfies(d -> {
                assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.CANCELLED);
                assertThat(d.getReason()).isEqualTo("deleted while waiting in the queue of pool pool; removed from it");
            });
            assertThat(router.statusesFor("uid-waiting")).last().satisfies(s -> {
                assertThat(s.getPhase()).isEqualTo(PodPhase.FAILED);
                assertThat(s.getReason()).isEqualTo("Deleted");
                assertThat(s.getSequence()).isEqualTo(2);
            });
            router.finish("uid-running", PodPhase.SUCCEEDED);
            assertThat(uids(router.runs("site-a"))).containsExactly("uid-running", "uid-next");
            assertThat(router.cancels("site-a")).isEmpty();
        }

        @Test
        void deletingARunningPodSendsCancelToItsSiteAndFreesCapacityOnlyWhenTheSiteReportsTheEnd() {
            router.advertise(PoolAdverts.pool("pool").only().allocatable("cpu", "1"));
            router.submit(pod("running", "1")).submit(pod("next", "1"));

            router.submit(Pods.named("running").withUid("uid-running").delete());

            assertThat(router.cancels("site-a")).singleElement().satisfies(c -> {
                assertThat(c.getPod().getUid()).isEqualTo("uid-running");
                assertThat(c.getPoolId()).isEqualTo("pool");
                assertThat(c.getType()).isEqualTo(CommandType.CANCEL);
            });
            assertThat(router.decisionsFor("uid-running")).last()
                    .satisfies(d -> assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.CANCELLED));
            assertThat(uids(router.runs("site-a"))).containsExactly("uid-running");

            router.finish("uid-running", PodPhase.FAILED);

            assertThat(uids(router.runs("site-a"))).containsExactly("uid-running", "uid-next");
        }

        @Test
        void aDeleteForAPodTheRouterNeverSawEndsIt() {
            router.submit(Pods.named("ghost").withUid("uid-ghost").delete());

            assertThat(router.decisionsFor("uid-ghost")).singleElement()
                    .satisfies(d -> assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.CANCELLED));
            assertThat(router.statusesFor("uid-ghost")).singleElement()
                    .satisfies(s -> assertThat(s.getReason()).isEqualTo("Deleted"));
        }

        @Test
        void duplicateIntentsAreDropped() {
            router.advertise(PoolAdverts.pool("pool"));
            PodIntent create = pod("p", "1");
            PodIntent delete = Pods.named("p").withUid("uid-p").delete();

            router.submit(create).submit(create).submit(delete).submit(delete);

            assertThat(router.runs("site-a")).hasSize(1);
            assertThat(router.cancels("site-a")).hasSize(1);
            assertThat(router.decisionsFor("uid-p")).extracting(RoutingDecision::getOutcome)
                    .containsExactly(DecisionOutcome.ASSIGNED, DecisionOutcome.DUPLICATE, DecisionOutcome.CANCELLED,
                            DecisionOutcome.DUPLICATE);
        }
    }

    @Nested
    class PoolsChanging {

        @Test
        void whenAPoolGoesDownItsQueuedPodsAreRoutedElsewhereAndItsRunningPodsAreLeftAlone() {
            router.advertise(PoolAdverts.pool("first").site("site-f").only().allocatable("cpu", "1"));
            router.submit(pod("running", "1")).submit(pod("waiting", "1"));
            router.advertise(PoolAdverts.pool("second").site("site-s").only().allocatable("cpu", "1"));

            router.advertise(PoolAdverts.pool("first").site("site-f").only().allocatable("cpu", "1")
                    .state(PoolState.DOWN, "maintenance"));

            assertThat(router.cancels("site-f", "site-s")).isEmpty();
            JobCommand rerouted = router.runs("site-s").get(0);
            assertThat(rerouted.getPod().getUid()).isEqualTo("uid-waiting");
            assertThat(rerouted.getAttempt()).isEqualTo(1);
            assertThat(router.decisionsFor("uid-waiting")).extracting(RoutingDecision::getOutcome)
                    .containsExactly(DecisionOutcome.QUEUED, DecisionOutcome.REROUTED, DecisionOutcome.ASSIGNED);
            assertThat(router.decisionsFor("uid-waiting").get(1).getReason())
                    .isEqualTo("taken out of the queue of pool first: pool is DOWN: maintenance; routing again");
        }

        @Test
        void queuedPodsOfAPoolThatStopsHeartbeatingAreRoutedAgain() {
            router.advertise(PoolAdverts.pool("silent").site("site-x").only().allocatable("cpu", "1")
                    .heartbeat(PoolAdverts.AT, 30));
            router.submit(pod("running", "1")).submit(pod("waiting", "1"));

            router.advance(Duration.ofSeconds(31));

            assertThat(router.decisionsFor("uid-waiting")).extracting(RoutingDecision::getOutcome)
                    .containsExactly(DecisionOutcome.QUEUED, DecisionOutcome.REROUTED, DecisionOutcome.REJECTED);
            assertThat(router.statusesFor("uid-waiting")).last().satisfies(s -> {
                assertThat(s.getPhase()).isEqualTo(PodPhase.FAILED);
                assertThat(s.getAttempt()).isEqualTo(1);
                assertThat(s.getMessage()).contains("stopped heartbeating");
            });
        }

        @Test
        void aPoolThatGrowsStartsItsQueuedPods() {
            router.advertise(PoolAdverts.pool("pool").only().allocatable("cpu", "1"));
            router.submit(pod("one", "1")).submit(pod("two", "1"));

            router.advertise(PoolAdverts.pool("pool").only().allocatable("cpu", "2"));

            assertThat(uids(router.runs("site-a"))).containsExactly("uid-one", "uid-two");
        }
    }

    @Test
    void executorStatusesOfAnEarlierAttemptDoNotReleaseCapacity() {
        router.advertise(PoolAdverts.pool("pool").only().allocatable("cpu", "1"));
        router.submit(pod("one", "1")).submit(pod("two", "1"));

        router.status.pipeInput("uid-one", PodStatusEvent.newBuilder()
                .setPod(Pods.named("one").withUid("uid-one").ref()).setPhase(PodPhase.SUCCEEDED).setAttempt(7)
                .setSource(StatusSource.EXECUTOR).setSequence(1).setObservedAt(PoolAdverts.AT).build());

        assertThat(uids(router.runs("site-a"))).containsExactly("uid-one");
    }

    @Test
    void finishedPodsAreForgottenAfterTheRetention() {
        try (RouterDriver short_ = new RouterDriver(Map.of(RouterConfig.FINISHED_RETENTION, "10s"))) {
            short_.advertise(PoolAdverts.pool("pool").heartbeat(PoolAdverts.AT, 86_400));
            PodIntent create = pod("p", "1");
            short_.submit(create);
            short_.finish("uid-p", PodPhase.SUCCEEDED);
            short_.submit(create);
            assertThat(short_.runs("site-a")).hasSize(1);

            short_.advance(Duration.ofSeconds(12));
            short_.submit(create);

            assertThat(short_.runs("site-a")).hasSize(2);
        }
    }
}
