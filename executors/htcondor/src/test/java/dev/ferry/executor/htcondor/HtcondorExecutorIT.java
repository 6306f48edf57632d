package dev.ferry.executor.htcondor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.CommandType;
import dev.ferry.events.ContainerState;
import dev.ferry.events.JobCommand;
import dev.ferry.events.LogStream;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolState;
import dev.ferry.executor.Executor;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.htcondor.model.JobStates;
import dev.ferry.executor.testing.ExecutorHarness;
import dev.ferry.fixtures.Events;
import dev.ferry.fixtures.Pods;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The executor runtime with the HTCondor backend, a real broker, the real registry and the real schedd. */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class HtcondorExecutorIT {

    static ExecutorHarness harness;
    static Executor executor;

    @BeforeAll
    static void start(KafkaBroker broker, SchemaRegistry registry) throws Exception {
        if (LocalHtcondor.unreachable().isPresent()) {
            return;
        }
        harness = new ExecutorHarness(broker.bootstrapServers(), registry.baseUrl(), "condor",
                Files.createTempDirectory("ferry-htcondor-it-"));
        executor = newExecutor();
    }

    static Executor newExecutor() throws Exception {
        Executor e = Executor.create(SiteConfig.load(harness.siteYaml(LocalHtcondor.backendYaml("    heldTimeout: 10m\n"))), null, System.getenv(),
                Clock.systemUTC()).start();
        assertThat(e.runtime().awaitStarted(Duration.ofSeconds(60))).isTrue();
        return e;
    }

    @BeforeEach
    void reachable() {
        // per test, so that every skipped test says why
        LocalHtcondor.assumeReachable();
    }

    @AfterAll
    static void stop() throws Exception {
        if (executor != null) {
            executor.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    static JobCommand run(PodIntent pod) {
        return Events.run(pod, harness.site, LocalHtcondor.poolId(harness.site));
    }

    static PodStatusEvent awaitPhase(String uid, PodPhase phase, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(harness.last(uid)).isNotNull().extracting(PodStatusEvent::getPhase).isEqualTo(phase));
        return harness.last(uid);
    }

    @Test
    void aPodRunsToSuccessWithStatusLogsAndPools() throws Exception {
        PodIntent pod = Pods.named("hello").command("sh", "-c", "echo hello; echo oops >&2; sleep 1").requesting("cpu", "1").create();
        harness.send(run(pod));
        String uid = pod.getPod().getUid();

        PodStatusEvent done = awaitPhase(uid, PodPhase.SUCCEEDED, Duration.ofSeconds(90));
        List<PodStatusEvent> all = harness.statuses(uid);
        assertThat(all.get(0).getPhase()).isEqualTo(PodPhase.PENDING);
        assertThat(all.get(0).getReason()).isEqualTo("Submitted");
        assertThat(all).extracting(PodStatusEvent::getPhase).contains(PodPhase.RUNNING);
        assertThat(all).extracting(PodStatusEvent::getSequence).isSorted().doesNotHaveDuplicates();
        assertThat(all).extracting(PodStatusEvent::getBackendJobId).containsOnly(all.get(0).getBackendJobId());
        assertThat(done.getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getState()).isEqualTo(ContainerState.TERMINATED);
            assertThat(c.getExitCode()).isZero();
        });
        assertThat(done.getStartTime()).isNotNull();
        assertThat(done.getPoolId()).isEqualTo(LocalHtcondor.poolId(harness.site));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(harness.logText(uid, "main", LogStream.STDOUT)).isEqualTo("hello\n");
            assertThat(harness.logText(uid, "main", LogStream.STDERR)).isEqualTo("oops\n");
            assertThat(harness.logs).anySatisfy(c -> {
                assertThat(c.getPod().getUid()).isEqualTo(uid);
                assertThat(c.getEof()).isTrue();
            });
        });
        assertThat(harness.pools).anySatisfy(p -> {
            assertThat(p.getPoolId()).isEqualTo(LocalHtcondor.poolId(harness.site));
            assertThat(p.getState()).isEqualTo(PoolState.READY);
            assertThat(p.getBackend()).isEqualTo(dev.ferry.events.Backend.HTCONDOR);
            assertThat(p.getLabels()).containsEntry("ferry.dev/backend", "htcondor");
            assertThat(p.getCapacity()).containsEntry("cpu", "8").containsEntry("nvidia.com/gpu", "2");
        });
        assertThat(LocalHtcondor.jobsOf(uid)).containsExactly(all.get(0).getBackendJobId());
    }

    @Test
    void exitCode3IsAFailedPodWithExitCode3InItsContainerStatus() throws Exception {
        PodIntent pod = Pods.named("three").command("sh", "-c", "exit 3").create();
        harness.send(run(pod));
        PodStatusEvent done = awaitPhase(pod.getPod().getUid(), PodPhase.FAILED, Duration.ofSeconds(90));
        assertThat(done.getReason()).isEqualTo("Error");
        assertThat(done.getMessage()).isEqualTo("exited with code 3");
        assertThat(done.getContainers().get(0).getExitCode()).isEqualTo(3);
    }

    @Test
    void cancelStopsARunningPod() throws Exception {
        PodIntent pod = Pods.named("sleeper").command("sleep", "300").create();
        harness.send(run(pod));
        awaitPhase(pod.getPod().getUid(), PodPhase.RUNNING, Duration.ofSeconds(90));
        harness.send(JobCommand.newBuilder(run(pod)).setType(CommandType.CANCEL).setIntent(null).setReason("pod deleted").build());

        PodStatusEvent done = awaitPhase(pod.getPod().getUid(), PodPhase.FAILED, Duration.ofSeconds(60));
        assertThat(done.getReason()).isEqualTo("Cancelled");
        assertThat(done.getMessage()).isEqualTo("cancelled");
    }

    @Test
    void aHeldJobKeepsThePodPendingWithTheHoldReason() throws Exception {
        PodIntent pod = Pods.named("held").command("/nonexistent/program", "--flag").create();
        String uid = pod.getPod().getUid();
        harness.send(run(pod));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            PodStatusEvent last = harness.last(uid);
            assertThat(last).isNotNull();
            assertThat(last.getPhase()).isEqualTo(PodPhase.PENDING);
            assertThat(last.getReason()).isEqualTo(JobStates.HELD);
            assertThat(last.getMessage()).contains("Failed to execute '/nonexistent/program'").contains("HoldReasonCode 6");
        });
        harness.send(JobCommand.newBuilder(run(pod)).setType(CommandType.CANCEL).setIntent(null).setReason("pod deleted").build());
        assertThat(awaitPhase(uid, PodPhase.FAILED, Duration.ofSeconds(60)).getReason()).isEqualTo("Cancelled");
    }

    @Test
    void hostileAnnotationsFailThePodBeforeSubmissionAndSubmitNothing() throws Exception {
        for (String annotation : List.of("executable = /bin/touch\narguments = /tmp/pwned", "requirements = $ENV(HOME) != \"\"",
                "+PodUID = \"someone-else\"", "include command : touch /tmp/pwned |")) {
            PodIntent pod = Pods.named("hostile").annotation("htcondor-job.ferry.dev/submit", annotation).create();
            harness.send(run(pod));
            PodStatusEvent done = awaitPhase(pod.getPod().getUid(), PodPhase.FAILED, Duration.ofSeconds(30));
            assertThat(done.getReason()).isEqualTo("InvalidSubmitCommand");
            assertThat(done.getMessage()).startsWith("annotation htcondor-job.ferry.dev/submit");
            assertThat(done.getBackendJobId()).isNull();
            assertThat(LocalHtcondor.jobsOf(pod.getPod().getUid())).isEmpty();
        }
        PodIntent allowed = Pods.named("allowed").command("true").annotation("htcondor-job.ferry.dev/submit",
                "request_disk = 1024\n+ProjectName = \"ferry-it\"").create();
        harness.send(run(allowed));
        PodStatusEvent done = awaitPhase(allowed.getPod().getUid(), PodPhase.SUCCEEDED, Duration.ofSeconds(90));
        assertThat(LocalHtcondor.longAd(done.getBackendJobId())).contains("ProjectName = \"ferry-it\"").contains("RequestDisk = 1024");
    }

    @Test
    void aJobThatFinishedWhileNoExecutorRanIsReportedWithItsRealFinalState() throws Exception {
        PodIntent pod = Pods.named("while-down").command("sh", "-c", "sleep 3; exit 5").create();
        String uid = pod.getPod().getUid();
        harness.send(run(pod));
        await().atMost(Duration.ofSeconds(30)).until(() -> harness.last(uid) != null);
        executor.close();
        long sequenceBefore = harness.last(uid).getSequence();
        String jobId = harness.last(uid).getBackendJobId();
        // the job leaves the queue for the history while no executor runs
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> LocalHtcondor.runner()
                .run(List.of("condor_history", "-af", "ExitCode", "-limit", "1", jobId)).stdout().strip().equals("5"));
        assertThat(harness.last(uid).getPhase()).isNotEqualTo(PodPhase.FAILED);

        executor = newExecutor();
        PodStatusEvent done = awaitPhase(uid, PodPhase.FAILED, Duration.ofSeconds(30));
        assertThat(done.getContainers().get(0).getExitCode()).isEqualTo(5);
        assertThat(done.getMessage()).isEqualTo("exited with code 5");
        assertThat(done.getSequence()).isGreaterThan(sequenceBefore);
        assertThat(LocalHtcondor.jobsOf(uid)).containsExactly(jobId);
    }
}
