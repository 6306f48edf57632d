package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.CommandType;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PoolState;
import dev.ferry.events.RoutingDecision;
import dev.ferry.fixtures.Pods;
import dev.ferry.router.testing.PoolAdverts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * For random pools, random pods and random completions, deletes, duplicates and pool changes in random order,
 * through the real topology:
 * <ul>
 *   <li>no RUN ever takes a pool's reservations beyond its allocatable (as last advertised), and none goes to a
 *       pool that is not READY;</li>
 *   <li>nothing is assigned twice: one RUN per pod at most;</li>
 *   <li>every pod ends assigned, queued, rejected or cancelled exactly once; and once the pools are back and every
 *       running pod has finished, nothing is left waiting.</li>
 * </ul>
 */
class RouterPropertiesTest {

    record PoolDef(String id, String site, int cpu, int gpu) {
    }

    record PodDef(String name, int cpu, int gpu, int priority) {
        String uid() {
            return "uid-" + name;
        }

        PodIntent create() {
            Pods pod = Pods.named(name).withUid(uid()).priority(priority);
            if (cpu > 0) {
                pod.requesting("cpu", Integer.toString(cpu));
            }
            if (gpu > 0) {
                pod.requesting("nvidia.com/gpu", Integer.toString(gpu));
            }
            return pod.create();
        }
    }

    /** One step of a scenario; {@code n} picks a pod or pool by index (modulo their number). */
    record Action(Kind kind, int n, int size) {
        enum Kind { SUBMIT, DUPLICATE, DELETE, FINISH, SETTLE, POOL_DOWN, POOL_UP, POOL_RESIZE }
    }

    record Scenario(List<PoolDef> pools, List<PodDef> pods, List<Action> actions) {
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<List<PoolDef>> pools = Arbitraries.integers().between(1, 3).flatMap(n -> Combinators.combine(
                Arbitraries.integers().between(1, 8).list().ofSize(n),
                Arbitraries.integers().between(0, 2).list().ofSize(n)).as((cpus, gpus) -> {
                    List<PoolDef> defs = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        defs.add(new PoolDef("pool-" + i, "site-" + (i % 2), cpus.get(i), gpus.get(i)));
                    }
                    return defs;
                }));
        Arbitrary<PodDef> pod = Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(2, 1), Tuple.of(1, 3)),
                Arbitraries.of(0, 0, 0, 10, -5)).as((cpu, gpu, prio) -> new PodDef(null, cpu, gpu, prio));
        Arbitrary<List<PodDef>> pods = pod.list().ofMinSize(1).ofMaxSize(25).map(list -> {
            List<PodDef> named = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                PodDef d = list.get(i);
                named.add(new PodDef("p" + i, d.cpu(), d.gpu(), d.priority()));
            }
            return named;
        });
        Arbitrary<Action> action = Combinators.combine(
                Arbitraries.frequency(
                        Tuple.of(10, Action.Kind.SUBMIT),
                        Tuple.of(2, Action.Kind.DUPLICATE),
                        Tuple.of(3, Action.Kind.DELETE),
                        Tuple.of(8, Action.Kind.FINISH),
                        Tuple.of(4, Action.Kind.SETTLE),
                        Tuple.of(1, Action.Kind.POOL_DOWN),
                        Tuple.of(1, Action.Kind.POOL_UP),
                        Tuple.of(1, Action.Kind.POOL_RESIZE)),
                Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 8)).as(Action::new);
        return Combinators.combine(pools, pods, action.list().ofMinSize(5).ofMaxSize(80)).as(Scenario::new);
    }

    @Property(tries = 150)
    void neverOverCommitsNeverAssignsTwiceAndEveryPodEndsOnce(@ForAll("scenarios") Scenario scenario) {
        try (RouterDriver router = new RouterDriver()) {
            new Run(router, scenario).play();
        }
    }

    /** Plays a scenario against the router, checking every RUN as it appears. */
    static final class Run {
        private final RouterDriver router;
        private final Scenario scenario;
        private final Map<String, PoolDef> current = new LinkedHashMap<>();
        private final Map<String, Boolean> ready = new HashMap<>();
        private final Map<String, JobCommand> running = new LinkedHashMap<>();
        private final Set<String> ran = new HashSet<>();
        private final Set<String> submitted = new HashSet<>();
        private int commandsSeen;

        Run(RouterDriver router, Scenario scenario) {
            this.router = router;
            this.scenario = scenario;
        }

        void play() {
            for (PoolDef pool : scenario.pools()) {
                advertise(pool, true);
            }
            router.settle();
            for (Action action : scenario.actions()) {
                step(action);
                check();
            }
            // bring every pool back as it first was, then finish whatever runs until nothing does
            for (PoolDef pool : scenario.pools()) {
                advertise(pool, true);
            }
            check();
            for (int round = 0; round < 1000 && !running.isEmpty(); round++) {
                for (String uid : List.copyOf(running.keySet())) {
                    finish(uid);
                }
                router.settle();
                check();
            }
            assertThat(running).as("still running after the drain").isEmpty();
            everyPodEndedOnce();
        }

        private void step(Action action) {
            List<PodDef> pods = scenario.pods();
            PodDef pod = pods.get(action.n() % pods.size());
            PoolDef pool = scenario.pools().get(action.n() % scenario.pools().size());
            switch (action.kind()) {
                case SUBMIT, DUPLICATE -> {
                    if (action.kind() == Action.Kind.SUBMIT || submitted.contains(pod.uid())) {
                        router.submit(pod.create());
                        submitted.add(pod.uid());
                    }
                }
                case DELETE -> router.submit(Pods.named(pod.name()).withUid(pod.uid()).delete());
                case FINISH -> {
                    if (!running.isEmpty()) {
                        List<String> uids = List.copyOf(running.keySet());
                        finish(uids.get(action.n() % uids.size()));
                    }
                }
                case SETTLE -> router.settle();
                case POOL_DOWN -> advertise(current.get(pool.id()), false);
                case POOL_UP -> advertise(current.get(pool.id()), true);
                case POOL_RESIZE -> advertise(new PoolDef(pool.id(), pool.site(), action.size(), pool.gpu()),
                        ready.get(pool.id()));
                default -> throw new IllegalStateException();
            }
        }

        private void advertise(PoolDef pool, boolean isReady) {
            // the RUNs already out were checked against the old advert; read them before it changes
            check();
            current.put(pool.id(), pool);
            ready.put(pool.id(), isReady);
            PoolAdverts advert = PoolAdverts.pool(pool.id()).site(pool.site()).only()
                    .allocatable("cpu", Integer.toString(pool.cpu()))
                    .heartbeat(PoolAdverts.AT, 86_400);
            if (pool.gpu() > 0) {
                advert.allocatable("nvidia.com/gpu", Integer.toString(pool.gpu()));
            }
            if (!isReady) {
                advert.state(PoolState.DOWN, "test");
            }
            router.advertise(advert);
        }

        private void finish(String uid) {
            check();
            router.finish(uid, uid.hashCode() % 3 == 0 ? PodPhase.FAILED : PodPhase.SUCCEEDED);
            running.remove(uid);
        }

        /** Reads new commands; every RUN must be a pod's first and fit its READY pool. */
        private void check() {
            List<JobCommand> all = router.commands("site-0", "site-1");
            for (JobCommand command : all.subList(commandsSeen, all.size())) {
                String uid = command.getPod().getUid();
                if (command.getType() != CommandType.RUN) {
                    assertThat(running).as("CANCEL for a pod that does not run: " + uid).containsKey(uid);
                    continue;
                }
                assertThat(ran.add(uid)).as("second RUN for " + uid).isTrue();
                running.put(uid, command);
                String poolId = command.getPoolId();
                assertThat(ready.get(poolId)).as("RUN to pool " + poolId + " while it is DOWN").isTrue();
                PoolDef pool = current.get(poolId);
                int cpu = 0;
                int gpu = 0;
                for (JobCommand r : running.values()) {
                    if (r.getPoolId().equals(poolId)) {
                        PodDef def = def(r.getPod().getUid());
                        cpu += def.cpu();
                        gpu += def.gpu();
                    }
                }
                assertThat(cpu).as("cpu reserved in " + poolId + " after RUN of " + uid).isLessThanOrEqualTo(pool.cpu());
                assertThat(gpu).as("gpu reserved in " + poolId + " after RUN of " + uid).isLessThanOrEqualTo(pool.gpu());
            }
            commandsSeen = all.size();
        }

        private PodDef def(String uid) {
            return scenario.pods().stream().filter(p -> p.uid().equals(uid)).findFirst().orElseThrow();
        }

        private void everyPodEndedOnce() {
            for (PodDef pod : scenario.pods()) {
                List<RoutingDecision> decisions = router.decisionsFor(pod.uid());
                long rejected = decisions.stream().filter(d -> d.getOutcome() == DecisionOutcome.REJECTED).count();
                long cancelled = decisions.stream().filter(d -> d.getOutcome() == DecisionOutcome.CANCELLED).count();
                boolean hasRun = ran.contains(pod.uid());
                long routerEnds = router.statusesFor(pod.uid()).stream().filter(s -> s.getPhase() == PodPhase.FAILED).count();
                assertThat(rejected).as("REJECTED decisions of " + pod.uid()).isLessThanOrEqualTo(1);
                assertThat(cancelled).as("CANCELLED decisions of " + pod.uid()).isLessThanOrEqualTo(1);
                assertThat(routerEnds).as("terminal router statuses of " + pod.uid()).isLessThanOrEqualTo(1);
                boolean isRejected = rejected == 1;
                boolean isCancelledUnrun = cancelled == 1 && !hasRun;
                int outcomes = (hasRun ? 1 : 0) + (isRejected ? 1 : 0) + (isCancelledUnrun ? 1 : 0);
                if (submitted.contains(pod.uid())) {
                    assertThat(outcomes).as(pod.uid() + " must end assigned, rejected or cancelled exactly once, after "
                            + decisions.stream().map(RoutingDecision::getOutcome).toList()).isEqualTo(1);
                } else {
                    assertThat(hasRun || isRejected).as(pod.uid() + " was never created").isFalse();
                }
            }
        }
    }
}
