package dev.ferry.executor.slurm;

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
import dev.ferry.executor.testing.ExecutorHarness;
import dev.ferry.fixtures.Events;
import dev.ferry.fixtures.Pods;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The executor runtime with the Slurm backend, a real broker, the real registry and the real Slurm. */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class SlurmExecutorIT {

    static String SITE;
    static ExecutorHarness harness;
    static String partition;
    static Executor executor;

    @BeforeEach
    void slurmReachable() {
        LocalSlurm.assumeReachable();
    }

    @BeforeAll
    static void start(KafkaBroker broker, SchemaRegistry registry) throws Exception {
        if (LocalSlurm.unreachableReason().isPresent()) {
            return; // each test is skipped, saying why
        }
        partition = LocalSlurm.partition();
        harness = new ExecutorHarness(broker.bootstrapServers(), registry.baseUrl(), "hpc", LocalSlurm.workDir());
        SITE = harness.site;
        executor = newExecutor();
    }

    static Executor newExecutor() throws Exception {
        Executor e = Executor.create(SiteConfig.load(harness.siteYaml(LocalSlurm.backendYaml(harness.files, ""))), null, System.getenv(), Clock.systemUTC()).start();
        assertThat(e.runtime().awaitStarted(Duration.ofSeconds(60))).isTrue();
        return e;
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

    JobCommand run(PodIntent pod) {
        return Events.run(pod, SITE, SITE + "/" + partition);
    }

    static PodStatusEvent awaitPhase(String uid, PodPhase phase, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(harness.last(uid)).isNotNull().extracting(PodStatusEvent::getPhase).isEqualTo(phase));
        return harness.last(uid);
    }

    @Test
    void aPodRunsToSuccessWithStatusLogsAndPools() throws Exception {
        PodIntent pod = Pods.named("hello").command("sh", "-c", "echo hello; echo oops >&2; sleep 1").create();
        harness.send(run(pod));
        String uid = pod.getPod().getUid();

        PodStatusEvent done = awaitPhase(uid, PodPhase.SUCCEEDED, Duration.ofSeconds(60));
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
        assertThat(done.getPoolId()).isEqualTo(SITE + "/" + partition);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(harness.logText(uid, "main", LogStream.STDOUT)).isEqualTo("hello\n");
            assertThat(harness.logText(uid, "main", LogStream.STDERR)).isEqualTo("oops\n");
            assertThat(harness.logs).anySatisfy(c -> {
                assertThat(c.getPod().getUid()).isEqualTo(uid);
                assertThat(c.getEof()).isTrue();
            });
        });
        assertThat(harness.pools).anySatisfy(p -> {
            assertThat(p.getPoolId()).isEqualTo(SITE + "/" + partition);
            assertThat(p.getState()).isEqualTo(PoolState.READY);
            assertThat(p.getLabels()).containsEntry("ferry.dev/backend", "slurm");
        });
        assertThat(LocalSlurm.jobsNamed(uid)).hasSize(1);
    }

    @Test
    void exitCode3IsAFailedPodWithExitCode3InItsContainerStatus() throws Exception {
        PodIntent pod = Pods.named("three").command("sh", "-c", "exit 3").create();
        harness.send(run(pod));
        PodStatusEvent done = awaitPhase(pod.getPod().getUid(), PodPhase.FAILED, Duration.ofSeconds(60));
        assertThat(done.getReason()).isEqualTo("Error");
        assertThat(done.getMessage()).isEqualTo("exited with code 3");
        assertThat(done.getContainers().get(0).getExitCode()).isEqualTo(3);
    }

    @Test
    void cancelStopsARunningPod() throws Exception {
        PodIntent pod = Pods.named("sleeper").command("sleep", "300").create();
        harness.send(run(pod));
        awaitPhase(pod.getPod().getUid(), PodPhase.RUNNING, Duration.ofSeconds(60));
        harness.send(JobCommand.newBuilder(run(pod)).setType(CommandType.CANCEL).setIntent(null).setReason("pod deleted").build());

        PodStatusEvent done = awaitPhase(pod.getPod().getUid(), PodPhase.FAILED, Duration.ofSeconds(60));
        assertThat(done.getReason()).isEqualTo("Cancelled");
        assertThat(done.getMessage()).isEqualTo("cancelled");
    }

    @Test
    void aForbiddenFlagFailsThePodBeforeSubmission() throws Exception {
        PodIntent pod = Pods.named("flags").annotation("slurm-job.vk.io/flags", "--wrap='id'").create();
        harness.send(run(pod));
        PodStatusEvent done = awaitPhase(pod.getPod().getUid(), PodPhase.FAILED, Duration.ofSeconds(30));
        assertThat(done.getReason()).isEqualTo("InvalidFlag");
        assertThat(done.getMessage()).contains("flag --wrap is not allowed");
        assertThat(done.getBackendJobId()).isNull();
        assertThat(LocalSlurm.jobsNamed(pod.getPod().getUid())).isEmpty();
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
        await().atMost(Duration.ofSeconds(60)).until(() -> LocalSlurm.runner()
                .run(List.of("squeue", "-h", "-t", "all", "-j", jobId, "-o", "%T")).stdout().strip().equals("FAILED"));
        assertThat(harness.last(uid).getPhase()).isNotEqualTo(PodPhase.FAILED);

        executor = newExecutor();
        PodStatusEvent done = awaitPhase(uid, PodPhase.FAILED, Duration.ofSeconds(30));
        assertThat(done.getContainers().get(0).getExitCode()).isEqualTo(5);
        assertThat(done.getSequence()).isGreaterThan(sequenceBefore);
        assertThat(LocalSlurm.jobsNamed(uid)).containsExactly(jobId);
    }

    /** The one slow test (about 100 s): Slurm enforces a one-minute limit with its own timer. */
    @Test
    void aPodOverItsDeadlineIsTimedOutBySlurm() throws Exception {
        PodIntent pod = Pods.named("overrun").command("sleep", "600").activeDeadlineSeconds(60).create();
        harness.send(run(pod));
        PodStatusEvent done = awaitPhase(pod.getPod().getUid(), PodPhase.FAILED, Duration.ofSeconds(180));
        assertThat(done.getReason()).isEqualTo("DeadlineExceeded");
        assertThat(done.getMessage()).startsWith("TIMEOUT after 00:01:00");
    }
}
