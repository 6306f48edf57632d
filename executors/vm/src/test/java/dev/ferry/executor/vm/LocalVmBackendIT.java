package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import dev.ferry.executor.vm.local.LocalShell;
import dev.ferry.executor.vm.model.Hostile;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VM backend with its one host {@code address: local}: the same scripts as over SSH, run as
 * local processes of this user with the {@code host} runtime; no sshd, no keys. The shell's home
 * is a temporary directory, so the relative work directory lands there, as it would under a VM
 * user's home.
 */
class LocalVmBackendIT {

    @TempDir
    Path home;
    String site;
    LocalShell shell;
    VmBackend backend;
    final List<JobHandle> started = new ArrayList<>();

    static VmSettings settings(String workDir) {
        return new VmSettings(null, null, null, null, workDir, null, Duration.ofSeconds(20), Duration.ofSeconds(2), null, null, null,
                List.of(PoolSettings.of("local", "host", List.of(HostSettings.local()))));
    }

    @BeforeEach
    void setUp() {
        site = "local-" + UUID.randomUUID().toString().substring(0, 8);
        shell = new LocalShell(LocalShell.loginEnvironment(System.getenv(), home.toString(), System.getProperty("user.name")), home);
        backend = new VmBackend(site, settings("jobs"), null, shell, new StaticProvisioner(), Clock.systemUTC(), false);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (JobHandle h : started) {
            backend.cancel(h);
        }
        // a cancelled job's wrapper still writes its exit status: wait for it, or the temp dir is deleted under it
        if (!started.isEmpty()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> backend.poll(started)
                    .values().stream().allMatch(s -> s.phase().isTerminal()));
        }
        backend.close();
        shell.close();
    }

    JobHandle submit(PodJob pod) throws Exception {
        JobHandle h = backend.submit(new JobRequest(TestPods.identity(site, "local"), pod));
        started.add(h);
        return h;
    }

    JobStatus awaitPhase(VmBackend b, JobHandle h, JobPhase phase) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> b.poll(List.of(h)).get(h),
                s -> s != null && s.phase() == phase);
    }

    byte[] log(JobHandle h, String container, LogStreamKind stream) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            byte[] chunk = backend.readLog(h, container, stream, out.size(), 5);
            if (chunk.length == 0) {
                return out.toByteArray();
            }
            out.writeBytes(chunk);
        }
    }

    Path jobDir(JobHandle h) {
        return home.resolve("jobs").resolve(site).resolve(h.identity().podUid() + "-" + h.identity().attempt());
    }

    @Test
    void aPodSucceedsWithItsOutputInTheLogsAndItsDirectoryUnderTheHome() throws Exception {
        JobHandle h = submit(TestPods.pod()
                .main(TestPods.sh("main", "", "echo hello from $FERRY_POD_DIR; echo home=$HOME; echo oops >&2; printf '\\377\\303'"))
                .build());
        assertThat(h.backendJobId()).isEqualTo("local/" + h.identity().podUid() + "-0");

        JobStatus done = awaitPhase(backend, h, JobPhase.SUCCEEDED);
        assertThat(done.exitCode()).contains(0);
        byte[] out = log(h, "main", LogStreamKind.STDOUT);
        String expected = "hello from " + jobDir(h).toRealPath() + "\nhome=" + home + "\n";
        // the last two bytes are not UTF-8, and cut into 5-byte chunks: they come back as they are
        assertThat(out).startsWith(expected.getBytes(StandardCharsets.UTF_8)).endsWith((byte) 0xff, (byte) 0xc3);
        assertThat(out).hasSize(expected.getBytes(StandardCharsets.UTF_8).length + 2);
        assertThat(new String(log(h, "main", LogStreamKind.STDERR), StandardCharsets.UTF_8)).isEqualTo("oops\n");
        assertThat(jobDir(h).resolve("exit")).exists();
    }

    @Test
    void exitCode3IsReportedAsTheJobsAndTheContainersExitCode() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", "", "echo failing >&2; exit 3")).build());
        JobStatus done = awaitPhase(backend, h, JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("Error");
        assertThat(done.exitCode()).contains(3);
        assertThat(done.containers()).singleElement().satisfies(c -> {
            assertThat(c.state()).isEqualTo(ContainerStatusInfo.State.TERMINATED);
            assertThat(c.exitCode()).contains(3);
        });
        assertThat(new String(log(h, "main", LogStreamKind.STDERR), StandardCharsets.UTF_8)).isEqualTo("failing\n");
    }

    @Test
    void cancelStopsTheRunningPodAndEveryProcessItStarted() throws Exception {
        String marker = "ferry-local-cancel-" + UUID.randomUUID();
        Path childPid = home.resolve("child.pid");
        PodJob.ContainerSpec main = TestPods.container("main", "", List.of("sh", "-c", "sleep 300 & echo $! >\"$CHILD_PID\"; wait; : " + marker),
                List.of(), List.of(new PodJob.EnvEntry("CHILD_PID", childPid.toString(), false)));
        JobHandle h = submit(TestPods.pod().main(main).build());
        awaitPhase(backend, h, JobPhase.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(childPid) && Files.readString(childPid).strip().matches("[0-9]+"));
        long child = Long.parseLong(Files.readString(childPid).strip());
        long wrapper = Long.parseLong(Files.readString(jobDir(h).resolve("pid")).split(" ")[0]);
        assertThat(LocalProcesses.alive(child)).isTrue();
        assertThat(LocalProcesses.alive(wrapper)).isTrue();
        assertThat(LocalProcesses.anyWithMarker(marker)).isTrue();

        backend.cancel(h);
        JobStatus done = awaitPhase(backend, h, JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("Cancelled");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(LocalProcesses.alive(child)).as("the container's child").isFalse();
            assertThat(LocalProcesses.alive(wrapper)).as("the wrapper").isFalse();
            assertThat(LocalProcesses.anyWithMarker(marker)).as("the container's shell").isFalse();
        });
    }

    @Test
    void aRestartedBackendFindsTheJobItSubmittedBeforeAndNeverRunsItAgain() throws Exception {
        JobIdentity id = TestPods.identity(site, "local");
        PodJob pod = TestPods.pod().main(TestPods.sh("main", "", "echo ran >>../ran-$(basename \"$FERRY_POD_DIR\"); sleep 1")).build();
        JobHandle first = backend.submit(new JobRequest(id, pod));
        started.add(first);
        backend.close();

        try (LocalShell again = new LocalShell(shell.environment(), home)) {
            VmBackend restarted = new VmBackend(site, settings("jobs"), null, again, new StaticProvisioner(), Clock.systemUTC(), false);
            assertThat(restarted.listOwned()).containsExactly(first);
            // the runtime submits a command it did not commit again: the job is adopted, not started twice
            assertThat(restarted.submit(new JobRequest(id, pod))).isEqualTo(first);
            JobStatus done = awaitPhase(restarted, first, JobPhase.SUCCEEDED);
            assertThat(done.exitCode()).contains(0);
            assertThat(home.resolve("jobs").resolve(site).resolve("ran-" + id.podUid() + "-0")).hasContent("ran");
            try (var dirs = Files.list(home.resolve("jobs").resolve(site))) {
                assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())).containsExactly(id.podUid() + "-0");
            }
            VmBackend otherSite = new VmBackend(site + "-other", settings("jobs"), null, again, new StaticProvisioner(), Clock.systemUTC(),
                    false);
            assertThat(otherSite.listOwned()).isEmpty();
        }
    }

    @Test
    void hostileArgumentsEnvironmentAndWorkingDirectoriesStayInert() throws Exception {
        Path marker = home.resolve("pwned");
        List<String> hostile = Hostile.strings(marker.toString());
        List<String> command = new ArrayList<>(List.of("printf", "[%s]\\n"));
        command.addAll(hostile);
        List<PodJob.EnvEntry> env = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) {
            env.add(new PodJob.EnvEntry("HOSTILE_" + i, hostile.get(i), i % 2 == 0));
        }
        PodJob.ContainerSpec args = new PodJob.ContainerSpec("args", "", command, List.of(), env, Optional.empty(), Map.of(), Map.of(),
                List.of());
        PodJob.ContainerSpec cwd = new PodJob.ContainerSpec("cwd", "", List.of("pwd"), List.of(), List.of(),
                Optional.of(home + "/$(touch " + marker + ")`touch " + marker + "`"), Map.of(), Map.of(), List.of());
        JobHandle h = submit(TestPods.pod().main(args).main(cwd).build());

        JobStatus done = awaitPhase(backend, h, JobPhase.FAILED);
        StringBuilder expected = new StringBuilder();
        hostile.forEach(s -> expected.append('[').append(s).append("]\n"));
        assertThat(new String(log(h, "args", LogStreamKind.STDOUT), StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        assertThat(done.containers()).filteredOn(c -> c.name().equals("cwd")).singleElement()
                .satisfies(c -> assertThat(c.exitCode()).contains(127));
        assertThat(marker).doesNotExist();
    }

    @Test
    void thePoolIsThisMachineAdvertisedAsLocalAndPollingCostsOneScript() throws Exception {
        List<PoolInfo> pools = backend.discoverPools();
        assertThat(pools).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("local");
            assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.READY);
            assertThat(p.capacity()).containsEntry("cpu", Long.toString(Runtime.getRuntime().availableProcessors()));
            assertThat(p.labels()).containsEntry(VmBackend.TRANSPORT_LABEL, "local").containsEntry("ferry.dev/runtime", "host")
                    .containsEntry("ferry.dev/hosts", "1");
        });
        List<JobHandle> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            jobs.add(submit(TestPods.pod().main(TestPods.sh("main", "", "sleep 1")).build()));
        }
        long before = shell.execCount();
        assertThat(backend.poll(jobs)).hasSize(5);
        assertThat(shell.execCount() - before).isEqualTo(1);
    }
}
