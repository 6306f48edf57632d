package dev.ferry.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.CommandType;
import dev.ferry.events.JobCommand;
import dev.ferry.events.LogChunk;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolState;
import dev.ferry.events.StatusSource;
import dev.ferry.executor.config.ExecutorSettings;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.model.Unsealer;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.testing.FakeBackend;
import dev.ferry.executor.testing.ManualClock;
import dev.ferry.executor.testing.MemoryFeed;
import dev.ferry.executor.testing.MemorySink;
import dev.ferry.fixtures.Events;
import dev.ferry.fixtures.Pods;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ExecutorRuntimeTest {

    static final String SITE = "hpc-a";

    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
    final FakeBackend backend = new FakeBackend();
    final MemoryFeed feed = new MemoryFeed();
    final MemorySink sink = new MemorySink();
    final ExecutorSettings settings = ExecutorSettings.defaults().withLostAfter(Duration.ofSeconds(5)).withRetryBackoff(Duration.ofMillis(1));

    ExecutorRuntime runtime() {
        ExecutorRuntime runtime = new ExecutorRuntime(SITE, "exec-1", settings, new SiteConfig.PoolSettings(Map.of("zone", "a"), null, null),
                backend, feed, sink, sink, new Unsealer(Map.of()), clock);
        runtime.recover();
        return runtime;
    }

    static JobCommand run(PodIntent intent) {
        return Events.run(intent, SITE, SITE + "/debug");
    }

    static JobCommand cancel(PodIntent intent) {
        return JobCommand.newBuilder(run(intent)).setType(CommandType.CANCEL).setIntent(null).setCommandId(intent.getIntentId() + "/cancel").build();
    }

    void steps(ExecutorRuntime runtime, int n) {
        for (int i = 0; i < n; i++) {
            runtime.step();
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void submitsOncePublishesPendingAndCommitsAfterIt() {
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        ExecutorRuntime runtime = runtime();
        steps(runtime, 1);

        assertThat(backend.submitted()).hasSize(1);
        assertThat(backend.submitted().get(0).identity().podUid()).isEqualTo(pod.getPod().getUid());
        assertThat(backend.submitted().get(0).identity().pool()).isEqualTo("debug");
        PodStatusEvent first = sink.statuses(pod.getPod().getUid()).get(0);
        assertThat(first.getPhase()).isEqualTo(PodPhase.PENDING);
        assertThat(first.getReason()).isEqualTo("Submitted");
        assertThat(first.getBackendJobId()).isEqualTo("100");
        assertThat(first.getSource()).isEqualTo(StatusSource.EXECUTOR);
        assertThat(first.getSite()).isEqualTo(SITE);
        assertThat(feed.committed()).isEqualTo(1);
    }

    @Test
    void publishesOnlyOnChangeWithIncreasingSequences() {
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        ExecutorRuntime runtime = runtime();
        steps(runtime, 3);
        backend.set("100", JobPhase.RUNNING, "Running", null);
        steps(runtime, 3);
        backend.set("100", JobPhase.SUCCEEDED, "Completed", 0);
        steps(runtime, 3);

        List<PodStatusEvent> events = sink.statuses(pod.getPod().getUid());
        assertThat(events).extracting(PodStatusEvent::getPhase)
                .containsExactly(PodPhase.PENDING, PodPhase.PENDING, PodPhase.RUNNING, PodPhase.SUCCEEDED);
        assertThat(events).extracting(PodStatusEvent::getSequence).isSorted().doesNotHaveDuplicates();
        assertThat(events.get(3).getContainers().get(0).getExitCode()).isEqualTo(0);
    }

    @Test
    void restartBetweenSubmitAndCommitAdoptsTheJobInsteadOfSubmittingAgain() throws Exception {
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        ExecutorRuntime first = runtime();
        // the first executor submitted, then died before publishing or committing
        backend.submit(new dev.ferry.executor.spi.JobRequest(new dev.ferry.executor.spi.JobIdentity(SITE, pod.getPod().getUid(),
                "default", "a", 0, "debug"), backendPod()));
        assertThat(first.trackedCount()).isZero();

        ExecutorRuntime second = runtime();
        steps(second, 2);

        assertThat(backend.submitted()).hasSize(1);
        assertThat(second.trackedCount()).isEqualTo(1);
        assertThat(feed.committed()).isEqualTo(1);
        assertThat(sink.statuses(pod.getPod().getUid())).extracting(PodStatusEvent::getBackendJobId).containsOnly("100");
    }

    @Test
    void aRestartedExecutorReportsAJobThatFinishedWhileItWasDownAndNeverGoesBackInSequence() {
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        ExecutorRuntime first = runtime();
        steps(first, 2);
        backend.set("100", JobPhase.RUNNING, "Running", null);
        steps(first, 2);
        long lastSequence = sink.statuses(pod.getPod().getUid()).get(sink.statuses(pod.getPod().getUid()).size() - 1).getSequence();

        // down: the job finishes meanwhile; the restarted executor's clock even stepped back an hour
        backend.set("100", JobPhase.FAILED, "Error", 3);
        clock.advance(Duration.ofHours(-1));
        feed.restartFromCommitted();
        ExecutorRuntime second = runtime();
        steps(second, 2);

        List<PodStatusEvent> events = sink.statuses(pod.getPod().getUid());
        PodStatusEvent last = events.get(events.size() - 1);
        assertThat(last.getPhase()).isEqualTo(PodPhase.FAILED);
        assertThat(last.getContainers().get(0).getExitCode()).isEqualTo(3);
        assertThat(last.getSequence()).isGreaterThan(lastSequence);
        assertThat(backend.submitted()).hasSize(1);
        // the running state was not published twice
        assertThat(events.stream().filter(e -> e.getPhase() == PodPhase.RUNNING)).hasSize(1);
    }

    @Test
    void aFinishedPodIsNotSubmittedAgainWhenItsCommandIsReplayed() {
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        ExecutorRuntime first = runtime();
        steps(first, 2);
        backend.set("100", JobPhase.SUCCEEDED, "Completed", 0);
        steps(first, 2);
        backend.forget("100");

        feed.rewind(new JobFeed.Position("jobs", 0, 0));
        ExecutorRuntime second = runtime();
        steps(second, 2);

        assertThat(backend.submitted()).hasSize(1);
    }

    @Test
    void oneBackendPollPerCycleWhateverTheNumberOfJobs() {
        for (int i = 0; i < 1000; i++) {
            feed.add(run(Pods.named("p" + i).create()));
        }
        ExecutorRuntime runtime = runtime();
        steps(runtime, 1);
        int before = backend.polls();
        steps(runtime, 5);

        assertThat(backend.polls() - before).isEqualTo(5);
        assertThat(backend.lastPollSize()).isEqualTo(1000);
        assertThat(backend.lists()).isEqualTo(2); // once on start, once before the batch of submissions
    }

    @Test
    void cancelGoesToTheBackendAndTheFinalStateComesFromIt() {
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        ExecutorRuntime runtime = runtime();
        steps(runtime, 2);
        feed.add(cancel(pod));
        steps(runtime, 2);

        assertThat(backend.cancelled()).containsExactly("100");
        PodStatusEvent last = sink.statuses(pod.getPod().getUid()).get(sink.statuses(pod.getPod().getUid()).size() - 1);
        assertThat(last.getPhase()).isEqualTo(PodPhase.FAILED);
        assertThat(last.getReason()).isEqualTo("Cancelled");
    }

    @Test
    void cancelOfAPodNeverSubmittedFailsItWithAReason() {
        PodIntent pod = Pods.named("a").create();
        feed.add(cancel(pod));
        steps(runtime(), 1);

        assertThat(sink.statuses(pod.getPod().getUid())).singleElement().satisfies(e -> {
            assertThat(e.getPhase()).isEqualTo(PodPhase.FAILED);
            assertThat(e.getReason()).isEqualTo("Cancelled");
        });
        assertThat(backend.submitted()).isEmpty();
    }

    @Test
    void aRejectedPodFailsWithTheBackendsMessageAndIsCommitted() {
        backend.rejectWith("sbatch: error: invalid partition specified: nope");
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        steps(runtime(), 1);

        assertThat(sink.statuses(pod.getPod().getUid())).singleElement().satisfies(e -> {
            assertThat(e.getPhase()).isEqualTo(PodPhase.FAILED);
            assertThat(e.getReason()).isEqualTo("SubmitRejected");
            assertThat(e.getMessage()).contains("invalid partition");
        });
        assertThat(feed.committed()).isEqualTo(1);
    }

    @Test
    void anUnreachableBackendLeavesTheCommandUncommittedAndPoolsDown() {
        ExecutorRuntime runtime = runtime();
        steps(runtime, 1);
        assertThat(sink.pools()).last().extracting(a -> a.getState()).isEqualTo(PoolState.READY);

        backend.setDown(true);
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        steps(runtime, 3);
        assertThat(feed.committed()).isZero();
        assertThat(backend.submitted()).isEmpty();
        assertThat(sink.pools()).last().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(PoolState.DOWN);
            assertThat(a.getMessage()).contains("controller unreachable");
        });

        backend.setDown(false);
        steps(runtime, 3);
        assertThat(backend.submitted()).hasSize(1);
        assertThat(feed.committed()).isEqualTo(1);
        assertThat(sink.pools()).last().extracting(a -> a.getState()).isEqualTo(PoolState.READY);
    }

    @Test
    void aJobTheBackendForgotIsReportedLostAfterTheGracePeriod() {
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        ExecutorRuntime runtime = runtime();
        steps(runtime, 2);
        backend.forget("100");
        steps(runtime, 8);

        PodStatusEvent last = sink.statuses(pod.getPod().getUid()).get(sink.statuses(pod.getPod().getUid()).size() - 1);
        assertThat(last.getPhase()).isEqualTo(PodPhase.FAILED);
        assertThat(last.getReason()).isEqualTo("Lost");
        assertThat(last.getMessage()).contains("100");
    }

    @Test
    void shipsLogsInBoundedChunksWithOffsetsAndEndsWithEof() {
        PodIntent pod = Pods.named("a").create();
        feed.add(run(pod));
        ExecutorRuntime runtime = runtime();
        steps(runtime, 1);
        backend.set("100", JobPhase.RUNNING, "Running", null);
        String big = "x".repeat(150 * 1024);
        backend.write("100", "main", LogStreamKind.STDOUT, big);
        backend.write("100", "main", LogStreamKind.STDERR, "oops\n");
        steps(runtime, 2);
        backend.set("100", JobPhase.SUCCEEDED, "Completed", 0);
        steps(runtime, 6);

        List<LogChunk> out = sink.logs().stream().filter(c -> c.getStream() == dev.ferry.events.LogStream.STDOUT).toList();
        assertThat(out).allSatisfy(c -> assertThat(c.getData().remaining()).isLessThanOrEqualTo(64 * 1024));
        assertThat(out).extracting(LogChunk::getOffset).isSorted();
        String joined = out.stream().map(c -> StandardCharsets.UTF_8.decode(c.getData().duplicate()).toString()).collect(Collectors.joining());
        assertThat(joined).isEqualTo(big);
        assertThat(out.get(out.size() - 1).getEof()).isTrue();
        assertThat(sink.logs()).filteredOn(c -> c.getStream() == dev.ferry.events.LogStream.STDERR && c.getData().remaining() > 0)
                .singleElement().satisfies(c -> assertThat(StandardCharsets.UTF_8.decode(c.getData().duplicate()).toString()).isEqualTo("oops\n"));
        assertThat(runtime.trackedCount()).isZero();
    }

    @Test
    void advertisesPoolsWithSiteLabelsOnChangeAndOnTheHeartbeatOnly() {
        ExecutorRuntime runtime = runtime();
        steps(runtime, 10);
        assertThat(sink.pools()).hasSize(1);
        assertThat(sink.pools().get(0).getPoolId()).isEqualTo("hpc-a/debug");
        assertThat(sink.pools().get(0).getLabels()).containsEntry("ferry.dev/site", SITE).containsEntry("ferry.dev/pool", "hpc-a/debug")
                .containsEntry("ferry.dev/backend", "slurm").containsEntry("zone", "a");

        backend.setPools(List.of(new dev.ferry.executor.spi.PoolInfo("debug", Map.of("cpu", "8"), Map.of("cpu", "2"),
                dev.ferry.executor.spi.PoolInfo.PoolCondition.READY, java.util.Optional.empty(), Map.of(), "")));
        steps(runtime, 6);
        assertThat(sink.pools()).hasSize(2);
        assertThat(sink.pools().get(1).getAllocatable()).containsEntry("cpu", "2");

        steps(runtime, 30);
        assertThat(sink.pools()).hasSize(3);
    }

    @Test
    void ignoresCommandsForAnotherSite() {
        PodIntent pod = Pods.named("a").create();
        feed.add(Events.run(pod, "other-site", "other-site/debug"));
        steps(runtime(), 1);
        assertThat(backend.submitted()).isEmpty();
        assertThat(feed.committed()).isEqualTo(1);
    }

    private static dev.ferry.executor.spi.PodJob backendPod() {
        return new dev.ferry.executor.spi.PodJob(Map.of(), Map.of(), List.of(), List.of(new dev.ferry.executor.spi.PodJob.ContainerSpec(
                "main", "busybox", List.of("true"), List.of(), List.of(), java.util.Optional.empty(), Map.of(), Map.of(), List.of())),
                List.of(), java.util.Optional.empty(), "Never");
    }
}
