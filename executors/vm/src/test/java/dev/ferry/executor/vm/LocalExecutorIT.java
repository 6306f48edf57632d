package dev.ferry.executor.vm;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole executor as {@code ferry dev} starts it: {@link LocalSite#backendYaml} in a site.yaml,
 * {@link Executor#create}, the real broker and registry, pods run as local processes (no sshd, no
 * podman).
 */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class LocalExecutorIT {

    @TempDir
    static Path tmp;
    static ExecutorHarness harness;
    static Executor executor;

    @BeforeAll
    static void start(KafkaBroker broker, SchemaRegistry registry) throws Exception {
        harness = new ExecutorHarness(broker.bootstrapServers(), registry.baseUrl(), "dev", tmp.resolve("harness"));
        executor = newExecutor();
    }

    static Executor newExecutor() throws Exception {
        Path siteYaml = harness.siteYaml(LocalSite.backendYaml(jobs()));
        Executor e = Executor.create(SiteConfig.load(siteYaml), null, System.getenv(), Clock.systemUTC()).start();
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

    static Path jobs() {
        return tmp.resolve("jobs");
    }

    static JobCommand run(PodIntent pod) {
        return Events.run(pod, harness.site, harness.site + "/" + LocalSite.POOL);
    }

    static PodStatusEvent awaitPhase(String uid, PodPhase phase) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(harness.last(uid)).isNotNull().extracting(PodStatusEvent::getPhase).isEqualTo(phase));
        return harness.last(uid);
    }

    @Test
    void aPodSucceedsWithItsOutputShippedAndThePoolIsAdvertisedAsLocal() throws Exception {
        PodIntent pod = Pods.named("hello").command("sh", "-c", "echo hello from $USER; echo oops >&2").create();
        String uid = pod.getPod().getUid();
        harness.send(run(pod));

        PodStatusEvent done = awaitPhase(uid, PodPhase.SUCCEEDED);
        assertThat(done.getBackendJobId()).isEqualTo("local/" + uid + "-0");
        assertThat(done.getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getState()).isEqualTo(ContainerState.TERMINATED);
            assertThat(c.getExitCode()).isZero();
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(harness.logText(uid, "main", LogStream.STDOUT)).isEqualTo("hello from " + System.getProperty("user.name") + "\n");
            assertThat(harness.logText(uid, "main", LogStream.STDERR)).isEqualTo("oops\n");
        });
        assertThat(jobs().resolve(harness.site).resolve(uid + "-0").resolve("exit")).exists();
        assertThat(harness.pools).anySatisfy(p -> {
            assertThat(p.getPoolId()).isEqualTo(harness.site + "/local");
            assertThat(p.getState()).isEqualTo(PoolState.READY);
            assertThat(p.getLabels()).containsEntry("ferry.dev/transport", "local").containsEntry("ferry.dev/runtime", "host");
        });
    }

    @Test
    void exitCode3IsAFailedPodWithExitCode3() throws Exception {
        PodIntent pod = Pods.named("three").command("sh", "-c", "exit 3").create();
        harness.send(run(pod));
        PodStatusEvent done = awaitPhase(pod.getPod().getUid(), PodPhase.FAILED);
        assertThat(done.getReason()).isEqualTo("Error");
        assertThat(done.getContainers()).singleElement().satisfies(c -> assertThat(c.getExitCode()).isEqualTo(3));
    }

    @Test
    void cancelStopsTheRunningPodAndItsProcessesAreGone() throws Exception {
        String marker = "ferry-dev-cancel-" + UUID.randomUUID();
        Path childPid = tmp.resolve(marker + ".pid");
        PodIntent pod = Pods.named("sleeper").command("sh", "-c", "sleep 300 & echo $! >\"$CHILD_PID\"; wait; : " + marker)
                .env("CHILD_PID", childPid.toString()).create();
        String uid = pod.getPod().getUid();
        harness.send(run(pod));
        awaitPhase(uid, PodPhase.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(childPid) && Files.readString(childPid).strip().matches("[0-9]+"));
        long child = Long.parseLong(Files.readString(childPid).strip());
        assertThat(LocalProcesses.alive(child)).isTrue();
        assertThat(LocalProcesses.anyWithMarker(marker)).isTrue();

        harness.send(JobCommand.newBuilder(run(pod)).setType(CommandType.CANCEL).setIntent(null).setCommandId(uid + "/cancel")
                .setReason("pod deleted").build());
        PodStatusEvent done = awaitPhase(uid, PodPhase.FAILED);
        assertThat(done.getReason()).isEqualTo("Cancelled");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(LocalProcesses.alive(child)).as("the pod's child process").isFalse();
            assertThat(LocalProcesses.anyWithMarker(marker)).as("the pod's shell").isFalse();
        });
    }

    @Test
    void aRestartedExecutorFindsThePodItStartedAndNeverRunsItAgain() throws Exception {
        PodIntent pod = Pods.named("once").command("sh", "-c", "echo ran >>../ran-$(basename \"$FERRY_POD_DIR\"); sleep 2; echo finished")
                .create();
        String uid = pod.getPod().getUid();
        harness.send(run(pod));
        awaitPhase(uid, PodPhase.RUNNING);
        executor.close();

        executor = newExecutor();
        // the same RUN again, as a successor reads a command its predecessor had not committed
        harness.send(run(pod));
        PodStatusEvent done = awaitPhase(uid, PodPhase.SUCCEEDED);
        assertThat(done.getBackendJobId()).isEqualTo("local/" + uid + "-0");
        assertThat(harness.statuses(uid)).extracting(PodStatusEvent::getBackendJobId).containsOnly("local/" + uid + "-0");
        assertThat(jobs().resolve(harness.site).resolve("ran-" + uid + "-0")).hasContent("ran");
        try (var dirs = Files.list(jobs().resolve(harness.site))) {
            assertThat(dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(uid))).containsExactly(uid + "-0");
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(harness.logText(uid, "main", LogStream.STDOUT))
                .isEqualTo("finished\n"));
    }
}
