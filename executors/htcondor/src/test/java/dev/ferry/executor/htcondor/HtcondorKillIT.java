package dev.ferry.executor.htcondor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.process.ChildProcesses;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.executor.ExecutorRuntime;
import dev.ferry.executor.testing.ExecutorHarness;
import dev.ferry.executor.testing.ExecutorMain;
import dev.ferry.fixtures.Events;
import dev.ferry.fixtures.Pods;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An executor in a child JVM, killed with SIGKILL after {@code condor_submit} returned and before it
 * published or committed anything (a test hook pauses it exactly there), then restarted: HTCondor
 * must hold exactly one job for the pod, the pod must run once and get its final status.
 */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class HtcondorKillIT {

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(p -> ChildProcesses.stop(p.toHandle(), Duration.ofSeconds(10)));
    }

    private Process executor(Path siteYaml, Path log, String... properties) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ChildProcesses.javaExecutable(), "-Xmx256m"));
        cmd.addAll(List.of(properties));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ExecutorMain.class.getName(), siteYaml.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return p;
    }

    @Test
    void killedBetweenSubmitAndCommitThenRestartedRunsThePodExactlyOnce(KafkaBroker broker, SchemaRegistry registry) throws Exception {
        LocalHtcondor.assumeReachable();
        try (ExecutorHarness harness = new ExecutorHarness(broker.bootstrapServers(), registry.baseUrl(), "kill",
                Files.createTempDirectory("ferry-htcondor-it-"))) {
            Path yaml = harness.siteYaml(LocalHtcondor.backendYaml(""));
            Path marker = harness.files.resolve("submitted.marker");
            // a directory the job's user can append to, outside the pod directory (which a second submission would renew)
            String runsDir = LocalHtcondor.workDir() + "-runs";
            Path runs = LocalHtcondor.local(runsDir);
            Files.createDirectories(runs);
            Files.setAttribute(runs, "unix:uid", LocalHtcondor.unixUser().uid());
            PodIntent pod = Pods.named("once").command("sh", "-c", "echo ran >> " + runsDir + "/runs.txt; sleep 2; exit 0").create();
            String uid = pod.getPod().getUid();

            Process first = executor(yaml, harness.files.resolve("first.log"),
                    "-D" + ExecutorRuntime.PAUSE_AFTER_SUBMIT_PROPERTY + "=300s", "-D" + ExecutorRuntime.PAUSE_MARKER_PROPERTY + "=" + marker);
            JobCommand run = Events.run(pod, harness.site, LocalHtcondor.poolId(harness.site));
            harness.send(run);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> Files.exists(marker) || !first.isAlive());
            assertThat(first.isAlive()).as(ChildProcesses.tail(harness.files.resolve("first.log"), 40)).isTrue();
            String jobId = Files.readString(marker).strip();
            first.destroyForcibly(); // SIGKILL
            first.waitFor();
            assertThat(first.exitValue()).isEqualTo(137);
            assertThat(LocalHtcondor.jobsOf(uid)).containsExactly(jobId);
            assertThat(harness.statuses(uid)).isEmpty();

            Process second = executor(yaml, harness.files.resolve("second.log"));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(second.isAlive()).as(ChildProcesses.tail(harness.files.resolve("second.log"), 40)).isTrue();
                assertThat(harness.last(uid)).isNotNull().extracting(PodStatusEvent::getPhase).isEqualTo(PodPhase.SUCCEEDED);
            });
            assertThat(LocalHtcondor.jobsOf(uid)).containsExactly(jobId);
            assertThat(harness.statuses(uid)).extracting(PodStatusEvent::getBackendJobId).containsOnly(jobId);
            assertThat(Files.readAllLines(runs.resolve("runs.txt"))).containsExactly("ran");
            // the restarted executor found the job on start, and recognised the replayed (uncommitted) RUN as that job
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Files.readString(harness.files.resolve("second.log")))
                    .contains("recovered htcondor job " + jobId).contains("RUN " + run.getCommandId() + " for attempt 0: already"));
            assertThat(LocalHtcondor.jobsOf(uid)).containsExactly(jobId);
        }
    }
}
