package dev.ferry.executor.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.executor.slurm.model.Hostile;
import dev.ferry.executor.slurm.model.SbatchFlags;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PoolInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Slurm backend against the real Slurm on this machine (no Kafka). */
class SlurmBackendIT {

    static final String SITE = "slurm-it";
    static String partition;
    static Path workDir;
    static SlurmBackend backend;

    @BeforeEach
    void slurmReachable() {
        LocalSlurm.assumeReachable();
    }

    @BeforeAll
    static void slurm() throws Exception {
        if (LocalSlurm.unreachableReason().isPresent()) {
            return; // each test is skipped, saying why
        }
        partition = LocalSlurm.partition();
        workDir = LocalSlurm.workDir();
        backend = LocalSlurm.backend(SITE, workDir);
    }

    static JobStatus awaitFinal(SlurmBackend b, JobHandle handle) {
        JobStatus[] last = new JobStatus[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = b.poll(List.of(handle)).get(handle);
            return last[0] != null && last[0].isTerminal();
        });
        return last[0];
    }

    static String read(JobHandle h, LogStreamKind stream) throws BackendException {
        return new String(backend.readLog(h, "main", stream, 0, 1 << 20), StandardCharsets.UTF_8);
    }

    @Test
    void aJobThatSucceedsWithItsOutputPerContainerAndStream() throws Exception {
        JobIdentity id = LocalSlurm.identity(SITE, partition);
        JobHandle h = backend.submit(new JobRequest(id, LocalSlurm.pod(Map.of(), List.of("sh", "-c", "echo out; echo err >&2"))));
        JobStatus done = awaitFinal(backend, h);

        assertThat(done.phase()).isEqualTo(JobPhase.SUCCEEDED);
        assertThat(done.containers()).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo(ContainerStatusInfo.State.TERMINATED);
            assertThat(c.exitCode()).contains(0);
            assertThat(c.startedAt()).isPresent();
        });
        assertThat(read(h, LogStreamKind.STDOUT)).isEqualTo("out\n");
        assertThat(read(h, LogStreamKind.STDERR)).isEqualTo("err\n");
        assertThat(backend.readLog(h, "main", LogStreamKind.STDOUT, 2, 10)).isEqualTo("t\n".getBytes(StandardCharsets.UTF_8));
        Path dir = workDir.resolve(id.podUid() + "-0");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void aJobThatExits3IsFailedWithExitCode3() throws Exception {
        JobHandle h = backend.submit(new JobRequest(LocalSlurm.identity(SITE, partition), LocalSlurm.pod(Map.of(), List.of("sh", "-c", "exit 3"))));
        JobStatus done = awaitFinal(backend, h);

        assertThat(done.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("Error");
        assertThat(done.exitCode()).contains(3);
        assertThat(done.message()).isEqualTo("exited with code 3");
        assertThat(done.containers()).singleElement().satisfies(c -> assertThat(c.exitCode()).contains(3));
    }

    @Test
    void cancelOfARunningJob() throws Exception {
        JobHandle h = backend.submit(new JobRequest(LocalSlurm.identity(SITE, partition), LocalSlurm.pod(Map.of(), List.of("sleep", "300"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> backend.poll(List.of(h)).get(h).phase() == JobPhase.RUNNING);
        backend.cancel(h);
        JobStatus done = awaitFinal(backend, h);

        assertThat(done.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("Cancelled");
        assertThat(done.message()).isEqualTo("cancelled");
        backend.cancel(h); // a finished job: not an error
    }

    @Test
    void aForbiddenFlagIsRejectedBeforeSubmission() throws Exception {
        JobIdentity id = LocalSlurm.identity(SITE, partition);
        Path marker = Path.of("/tmp/pwned-flag-" + id.podUid());
        assertThatThrownBy(() -> backend.submit(new JobRequest(id, LocalSlurm.pod(
                Map.of(SbatchFlags.ANNOTATION, "--mem=100M --wrap='touch " + marker + "'"), List.of("true")))))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.REJECTED);
                    assertThat(e.podReason()).isEqualTo("InvalidFlag");
                    assertThat(e.getMessage()).contains("--wrap");
                });
        assertThat(LocalSlurm.jobsNamed(id.podUid())).isEmpty();
        assertThat(marker).doesNotExist();
    }

    @Test
    void anInvalidPartitionIsRejectedWithSlurmsWords() {
        JobIdentity id = new JobIdentity(SITE, java.util.UUID.randomUUID().toString(), "default", "p", 0, "no-such-partition");
        assertThatThrownBy(() -> backend.submit(new JobRequest(id, LocalSlurm.pod(Map.of(), List.of("true")))))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.REJECTED);
                    assertThat(e.getMessage()).contains("invalid partition");
                });
    }

    @Test
    void hostileStringsStayInertAndComeBackVerbatim() throws Exception {
        JobIdentity id = LocalSlurm.identity(SITE, partition);
        String marker = "/tmp/pwned-" + id.podUid();
        List<String> hostile = Hostile.strings(marker);
        List<PodJob.EnvEntry> env = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) {
            env.add(new PodJob.EnvEntry("HOSTILE_" + i, hostile.get(i), i % 2 == 0));
        }
        List<String> args = new ArrayList<>(List.of("%s\\n"));
        args.addAll(hostile);
        // printenv prints each value; the secret ones come from the 0600 env file
        List<String> printenv = new ArrayList<>(List.of("sh", "-c", "printf '%s\\n' \"$@\"; for i in 0 1 2 3 4 5 6 7 8 9; do printenv HOSTILE_$i; done", "sh"));
        printenv.addAll(hostile);
        PodJob pod = new PodJob(Map.of(), Map.of(
                SbatchFlags.ANNOTATION, "--job-name='$(touch " + marker + ")' --mail-user=\"`touch " + marker + "`\" --comment-ignored-no",
                "slurm-job.vk.io/singularity-options", "$(touch " + marker + ")"), List.of(),
                List.of(new PodJob.ContainerSpec("main", "busybox", printenv, List.of(), env, Optional.of("/tmp"), Map.of(), Map.of(), List.of())),
                List.of(), Optional.empty(), "Never");
        // --comment-ignored-no is not allowed: the same pod without it runs
        assertThatThrownBy(() -> backend.submit(new JobRequest(id, pod))).hasMessageContaining("--comment-ignored-no");
        PodJob allowed = new PodJob(pod.labels(), Map.of(
                SbatchFlags.ANNOTATION, "--job-name='$(touch " + marker + ")' --mail-user=\"`touch " + marker + "`\"",
                "slurm-job.vk.io/singularity-options", "$(touch " + marker + ")"), List.of(), pod.containers(), List.of(),
                Optional.empty(), "Never");
        JobHandle h = backend.submit(new JobRequest(id, allowed));
        JobStatus done = awaitFinal(backend, h);

        assertThat(done.phase()).as(read(h, LogStreamKind.STDERR)).isEqualTo(JobPhase.SUCCEEDED);
        StringBuilder expected = new StringBuilder();
        hostile.forEach(s -> expected.append(s).append('\n'));
        hostile.forEach(s -> expected.append(s).append('\n'));
        assertThat(read(h, LogStreamKind.STDOUT)).isEqualTo(expected.toString());
        assertThat(Path.of(marker)).doesNotExist();
        assertThat(LocalSlurm.jobsNamed(id.podUid())).containsExactly(h.backendJobId());
    }

    @Test
    void aNewBackendInstanceFindsItsJobsAndTheirFinalStateAndIgnoresOtherSites() throws Exception {
        JobIdentity id = LocalSlurm.identity(SITE, partition);
        JobHandle h = backend.submit(new JobRequest(id, LocalSlurm.pod(Map.of(), List.of("sh", "-c", "exit 7"))));
        JobIdentity other = LocalSlurm.identity("other-site", partition);
        LocalSlurm.backend("other-site", workDir).submit(new JobRequest(other, LocalSlurm.pod(Map.of(), List.of("true"))));
        awaitFinal(backend, h);

        SlurmBackend restarted = LocalSlurm.backend(SITE, workDir);
        List<JobHandle> owned = restarted.listOwned();
        assertThat(owned).contains(h);
        assertThat(owned).noneMatch(x -> x.identity().podUid().equals(other.podUid()));
        JobStatus status = restarted.poll(List.of(h)).get(h);
        assertThat(status.phase()).isEqualTo(JobPhase.FAILED);
        assertThat(status.exitCode()).contains(7);
        assertThat(status.containers()).singleElement().satisfies(c -> assertThat(c.exitCode()).contains(7));
    }

    @Test
    void jobsTheControllerForgotComeFromTheJobcompAccounting() throws Exception {
        JobHandle ok = backend.submit(new JobRequest(LocalSlurm.identity(SITE, partition), LocalSlurm.pod(Map.of(), List.of("true"))));
        JobHandle failed = backend.submit(new JobRequest(LocalSlurm.identity(SITE, partition), LocalSlurm.pod(Map.of(), List.of("sh", "-c", "exit 4"))));
        awaitFinal(backend, ok);
        awaitFinal(backend, failed);
        // a controller that has forgotten every job: squeue prints nothing
        SlurmSettings forgetful = new SlurmSettings(workDir.toString(), "host", null, null, null, null, null, null,
                new SlurmSettings.Commands(null, "true", null, null, null, null));
        SlurmBackend b = new SlurmBackend(SITE, forgetful, LocalSlurm.runner(), ZoneId.systemDefault());
        JobHandle unknown = new JobHandle(LocalSlurm.identity(SITE, partition), "999999");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Map<JobHandle, JobStatus> states = b.poll(List.of(ok, failed, unknown));
            assertThat(states).containsOnlyKeys(ok, failed);
            assertThat(states.get(ok).phase()).isEqualTo(JobPhase.SUCCEEDED);
            assertThat(states.get(failed).phase()).isEqualTo(JobPhase.FAILED);
            assertThat(states.get(failed).exitCode()).contains(4);
        });
    }

    @Test
    void poolsFromSinfo() throws Exception {
        List<PoolInfo> pools = backend.discoverPools();
        assertThat(pools).anySatisfy(p -> {
            assertThat(p.name()).isEqualTo(partition);
            assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.READY);
            assertThat(Long.parseLong(p.capacity().get("cpu"))).isPositive();
            assertThat(p.capacity().get("memory")).endsWith("Mi");
            assertThat(p.labels()).containsEntry("slurm.ferry.dev/partition", partition);
        });
    }
}
