package dev.ferry.executor.htcondor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.TestNames;
import dev.ferry.executor.htcondor.model.Hostile;
import dev.ferry.executor.htcondor.model.JobStates;
import dev.ferry.executor.htcondor.model.PodJobs;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.EnvEntry;
import dev.ferry.executor.spi.PoolInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTCondor backend against the real schedd of {@code scripts/local-htcondor.sh} (no Kafka). */
class HtcondorBackendIT {

    static String site;
    static String workDir;
    static HtcondorBackend backend;

    @BeforeAll
    static void backend() {
        if (LocalHtcondor.unreachable().isEmpty()) {
            site = TestNames.unique("condor");
            workDir = LocalHtcondor.workDir();
            backend = LocalHtcondor.backend(site, LocalHtcondor.settings(workDir).withHeldTimeout(Duration.ofSeconds(20)));
        }
    }

    @BeforeEach
    void reachable() {
        // per test, so that every skipped test says why
        LocalHtcondor.assumeReachable();
    }

    static JobIdentity identity() {
        return PodJobs.identity(site, UUID.randomUUID().toString(), "default");
    }

    static JobHandle submit(PodJob pod) throws BackendException {
        return backend.submit(new JobRequest(identity(), pod));
    }

    static JobStatus awaitStatus(JobHandle job, JobPhase phase, Duration atMost) {
        JobStatus[] last = new JobStatus[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            last[0] = backend.poll(List.of(job)).get(job);
            assertThat(last[0]).isNotNull().extracting(JobStatus::phase).isEqualTo(phase);
        });
        return last[0];
    }

    static String log(JobHandle job, String container, LogStreamKind stream) throws BackendException {
        return new String(backend.readLog(job, container, stream, 0, 1 << 20), StandardCharsets.UTF_8);
    }

    @Test
    void aPodRunsToSuccessWithItsOutputInTheContainersLogs() throws Exception {
        JobHandle job = submit(PodJobs.pod().main(new PodJob.ContainerSpec("main", "busybox", List.of("sh", "-c"),
                List.of("echo hello \"$GREETING\"; echo oops >&2; pwd"), List.of(new EnvEntry("GREETING", "from Ferry", false)),
                Optional.empty(), Map.of("cpu", "1", "memory", "64Mi"), Map.of(), List.of())).build());
        assertThat(job.backendJobId()).matches("\\d+\\.0");

        JobStatus done = awaitStatus(job, JobPhase.SUCCEEDED, Duration.ofSeconds(60));
        assertThat(done.exitCode()).contains(0);
        assertThat(done.startedAt()).isPresent();
        assertThat(done.finishedAt()).isPresent();
        assertThat(done.containers()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("main");
            assertThat(c.state()).isEqualTo(ContainerStatusInfo.State.TERMINATED);
            assertThat(c.exitCode()).contains(0);
        });
        String podDir = workDir + "/" + job.identity().podUid() + "-0";
        assertThat(log(job, "main", LogStreamKind.STDOUT)).isEqualTo("hello from Ferry\n" + podDir + "/work\n");
        assertThat(log(job, "main", LogStreamKind.STDERR)).isEqualTo("oops\n");
        assertThat(backend.readLog(job, "main", LogStreamKind.STDOUT, 6, 4)).isEqualTo("from".getBytes(StandardCharsets.UTF_8));
        assertThat(backend.readLog(job, "main", LogStreamKind.STDOUT, 10_000, 10)).isEmpty();
        assertThat(LocalHtcondor.jobsOf(job.identity().podUid())).containsExactly(job.backendJobId());
    }

    @Test
    void aNonZeroExitIsAFailedPodWithThatExitCode() throws Exception {
        JobHandle job = submit(PodJobs.pod().main("main", List.of("sh", "-c"), "exit 3").build());
        JobStatus done = awaitStatus(job, JobPhase.FAILED, Duration.ofSeconds(60));
        assertThat(done.reason()).isEqualTo("Error");
        assertThat(done.message()).isEqualTo("exited with code 3");
        assertThat(done.exitCode()).contains(3);
        assertThat(done.containers().get(0).exitCode()).contains(3);
    }

    @Test
    void aJobKilledByASignalReportsTheSignal() throws Exception {
        JobHandle job = submit(PodJobs.pod().main("main", List.of("sh", "-c"), "kill -9 $$").build());
        JobStatus done = awaitStatus(job, JobPhase.FAILED, Duration.ofSeconds(60));
        assertThat(done.message()).isEqualTo("killed by signal 9");
        assertThat(done.signal()).contains(9);
        assertThat(done.containers().get(0).exitCode()).contains(137);
        assertThat(done.containers().get(0).signal()).contains(9);
    }

    @Test
    void cancelStopsARunningJobAndCancellingAgainIsNoError() throws Exception {
        JobHandle job = submit(PodJobs.pod().main("main", List.of("sleep"), "300").build());
        awaitStatus(job, JobPhase.RUNNING, Duration.ofSeconds(60));
        backend.cancel(job);
        JobStatus done = awaitStatus(job, JobPhase.FAILED, Duration.ofSeconds(60));
        assertThat(done.reason()).isEqualTo("Cancelled");
        assertThat(done.message()).isEqualTo("cancelled");
        backend.cancel(job);
        backend.cancel(new JobHandle(job.identity(), "999999.0"));
    }

    @Test
    void aHeldJobKeepsItsPodPendingWithTheHoldReasonThenFailsAndIsRemoved() throws Exception {
        JobHandle job = submit(PodJobs.pod().main("main", List.of("/nonexistent/program")).build());
        JobStatus held = awaitStatus(job, JobPhase.PENDING, Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                assertThat(backend.poll(List.of(job)).get(job).reason()).isEqualTo(JobStates.HELD));
        held = backend.poll(List.of(job)).get(job);
        assertThat(held.phase()).isEqualTo(JobPhase.PENDING);
        assertThat(held.message()).startsWith("held by HTCondor: Error from ").contains("Failed to execute '/nonexistent/program'")
                .contains("No such file or directory").contains("HoldReasonCode 6");

        // the site's heldTimeout (20 s here) runs out: the pod fails, the job leaves the queue
        JobStatus failed = awaitStatus(job, JobPhase.FAILED, Duration.ofSeconds(60));
        assertThat(failed.reason()).isEqualTo(JobStates.HELD);
        assertThat(failed.message()).contains("Failed to execute '/nonexistent/program'").contains("held for longer than 20s");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(LocalHtcondor.runner().run(List.of("condor_q", "-af",
                "JobStatus", job.backendJobId())).stdout()).isBlank());
        assertThat(LocalHtcondor.longAd(job.backendJobId())).contains("RemoveReason = \"held for longer than 20s: Error from");
    }

    @Test
    void hostileArgumentsAndEnvironmentArriveByteForByteAndRunNothing() throws Exception {
        Path marker = LocalHtcondor.local(workDir).resolveSibling(TestNames.unique("pwned"));
        String inside = "/" + LocalHtcondor.local("/").relativize(marker);
        List<String> direct = Hostile.carryable(inside);
        List<String> launcher = new ArrayList<>(direct);
        launcher.addAll(Hostile.launcherOnly(inside));
        for (List<String> words : List.of(direct, launcher)) {
            List<EnvEntry> env = new ArrayList<>();
            for (int i = 0; i < words.size(); i++) {
                env.add(new EnvEntry("H" + i, words.get(i), false));
            }
            PodJob pod = PodJobs.pod().main(PodJobs.container("main", List.of("/bin/sh", "-c"),
                    concat(List.of("printf '%s\\0' \"$@\"; /usr/bin/env -0 >&2", "sh"), words), env)).build();
            JobHandle job = submit(pod);
            awaitStatus(job, JobPhase.SUCCEEDED, Duration.ofSeconds(60));

            assertThat(nulSeparated(log(job, "main", LogStreamKind.STDOUT))).containsExactlyElementsOf(words);
            List<String> environment = nulSeparated(log(job, "main", LogStreamKind.STDERR));
            for (int i = 0; i < words.size(); i++) {
                assertThat(environment).contains("H" + i + "=" + words.get(i));
            }
            assertThat(marker).doesNotExist();
            String ad = LocalHtcondor.longAd(job.backendJobId());
            assertThat(ad).contains("PodUID = \"" + job.identity().podUid() + "\"").doesNotContain("someone-else\"\nPodUID");
            assertThat(LocalHtcondor.jobsOf(job.identity().podUid())).containsExactly(job.backendJobId());
            if (words == launcher) {
                assertThat(ad).contains("FerryLauncher = true");
            } else {
                assertThat(ad).doesNotContain("FerryLauncher");
            }
        }
    }

    static List<String> nulSeparated(String text) {
        assertThat(text).endsWith("\0");
        return Arrays.asList(text.substring(0, text.length() - 1).split("\0", -1));
    }

    @Test
    void theLauncherRunsInitContainersThenContainersWithSecretsOnlyInTheirFiles() throws Exception {
        PodJob pod = PodJobs.pod()
                .init("setup", List.of("sh", "-c"), "echo prepared > \"$FERRY_POD_DIR/work/ready\"")
                .main(PodJobs.container("app", List.of("sh", "-c"), List.of("cat ready; echo \"token=$TOKEN\"; exit 4"),
                        List.of(new EnvEntry("TOKEN", "s3cr3t-value", true))))
                .main("sidecar", List.of("sh", "-c"), "echo side")
                .volume(new PodJob.VolumeSpec("creds", PodJob.VolumeKind.SECRET, Optional.empty(), List.of(
                        new PodJob.FileSpec("token", "t0k3n".getBytes(StandardCharsets.UTF_8), true))))
                .build();
        JobHandle job = submit(pod);
        JobStatus done = awaitStatus(job, JobPhase.FAILED, Duration.ofSeconds(60));
        assertThat(done.exitCode()).contains(4);
        assertThat(done.initContainers()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("setup");
            assertThat(c.exitCode()).contains(0);
            assertThat(c.startedAt()).isPresent();
        });
        assertThat(done.containers()).extracting(ContainerStatusInfo::name, c -> c.exitCode().orElse(-1))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("app", 4), org.assertj.core.groups.Tuple.tuple("sidecar", 0));
        assertThat(log(job, "app", LogStreamKind.STDOUT)).isEqualTo("prepared\ntoken=s3cr3t-value\n");
        assertThat(log(job, "sidecar", LogStreamKind.STDOUT)).isEqualTo("side\n");
        assertThat(LocalHtcondor.longAd(job.backendJobId())).doesNotContain("s3cr3t").doesNotContain("t0k3n");

        Path podDir = LocalHtcondor.local(workDir + "/" + job.identity().podUid() + "-0");
        UnixUser user = LocalHtcondor.unixUser();
        Path secret = podDir.resolve("volumes/creds/token");
        assertThat(Files.readString(secret)).isEqualTo("t0k3n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
        assertThat(Files.getAttribute(secret, "unix:uid")).isEqualTo(user.uid());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(podDir.resolve("spec/app.env")))).isEqualTo("rw-------");
        assertThat(Files.getAttribute(podDir, "unix:uid")).isEqualTo(0);
        assertThat(Files.getAttribute(podDir.resolve("logs"), "unix:uid")).isEqualTo(0);
    }

    @Test
    void aPodOverItsDeadlineIsRemovedByHtcondor() throws Exception {
        JobHandle job = submit(PodJobs.pod().main("main", List.of("sleep"), "300").deadline(Duration.ofSeconds(2)).build());
        JobStatus done = awaitStatus(job, JobPhase.FAILED, Duration.ofSeconds(60));
        assertThat(done.reason()).isEqualTo("DeadlineExceeded");
        assertThat(done.message()).isEqualTo("ran longer than activeDeadlineSeconds (2 s): removed by HTCondor");
    }

    @Test
    void aGpuRequestIsMatchedToTheSlotsDeclaredGpus() throws Exception {
        JobHandle job = submit(PodJobs.pod().main(new PodJob.ContainerSpec("main", "busybox", List.of("sh", "-c"),
                List.of("echo \"$_CONDOR_AssignedGPUs\""), List.of(), Optional.empty(), Map.of(), Map.of("nvidia.com/gpu", "1"),
                List.of())).build());
        awaitStatus(job, JobPhase.SUCCEEDED, Duration.ofSeconds(60));
        assertThat(log(job, "main", LogStreamKind.STDOUT)).matches("CUDA\\d\n");
        assertThat(LocalHtcondor.longAd(job.backendJobId())).contains("RequestGPUs = 1");
    }

    @Test
    void whatCondorSubmitRefusesIsARejectedPodWithItsMessage() {
        PodJob pod = PodJobs.pod().main(new PodJob.ContainerSpec("main", "busybox", List.of("true"), List.of(), List.of(),
                Optional.of("/no/such/directory"), Map.of(), Map.of(), List.of())).build();
        JobIdentity id = identity();
        assertThatThrownBy(() -> backend.submit(new JobRequest(id, pod))).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.reason()).isEqualTo(BackendException.Reason.REJECTED);
            assertThat(e.getMessage()).startsWith("condor_submit refused the job: ").contains("/no/such/directory");
        });
    }

    @Test
    void aNewBackendFindsJobsThatFinishedMeanwhileAndTheirFinalState() throws Exception {
        JobHandle job = submit(PodJobs.pod().main("main", List.of("sh", "-c"), "exit 5").build());
        awaitStatus(job, JobPhase.FAILED, Duration.ofSeconds(60));

        // a restarted executor: nothing in memory
        HtcondorBackend fresh = LocalHtcondor.backend(site, LocalHtcondor.settings(workDir));
        assertThat(fresh.listOwned()).contains(job);
        JobStatus status = fresh.poll(List.of(job)).get(job);
        assertThat(status.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(status.exitCode()).contains(5);
        // another site's executor does not see it
        assertThat(LocalHtcondor.backend(site + "-other", LocalHtcondor.settings(workDir)).listOwned()).doesNotContain(job);
        // a known final state costs no query; a job the schedd does not know costs one condor_q and one condor_history
        Map<String, Long> before = fresh.runner().invocations();
        fresh.poll(List.of(job));
        assertThat(fresh.runner().invocations()).isEqualTo(before);
        JobHandle unknown = new JobHandle(identity(), "999998.0");
        assertThat(fresh.poll(List.of(unknown, job))).containsOnlyKeys(job);
        Map<String, Long> after = fresh.runner().invocations();
        assertThat(after.get("condor_q") - before.get("condor_q")).isEqualTo(1);
        assertThat(after.get("condor_history") - before.get("condor_history")).isEqualTo(1);
    }

    @Test
    void theSlotsAreAdvertisedAsAPool() throws Exception {
        List<PoolInfo> pools = backend.discoverPools();
        assertThat(pools).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("default");
            assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.READY);
            assertThat(p.capacity()).containsEntry("cpu", "8").containsEntry("nvidia.com/gpu", "2").containsKey("memory");
            assertThat(p.allocatable()).containsKeys("cpu", "memory", "nvidia.com/gpu", "slots");
        });
        HtcondorBackend none = LocalHtcondor.backend(site, LocalHtcondor.settings(workDir)
                .withPools(List.of(new HtcondorSettings.Pool("huge", "TotalSlotCpus > 100000"))));
        assertThat(none.discoverPools()).singleElement().satisfies(p -> assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.DOWN));
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
