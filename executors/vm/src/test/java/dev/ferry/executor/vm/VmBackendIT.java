package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.ContainerStatusInfo;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.executor.vm.model.Hostile;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import dev.ferry.executor.vm.ssh.ExecResult;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
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

/** The VM backend against the real sshd on 127.0.0.1 with the {@code host} runtime (commands run directly). */
class VmBackendIT {

    LocalVm vm;
    String site;
    SshClient ssh;
    VmBackend backend;
    final List<JobHandle> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        vm = LocalVm.require();
        site = "it-" + UUID.randomUUID().toString().substring(0, 8);
        VmSettings settings = vm.settings("host");
        ssh = new SshClient(VmBackendFactory.sshSettings(settings));
        backend = new VmBackend(site, settings, ssh, new StaticProvisioner(), Clock.systemUTC(), false);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (backend != null) {
            for (JobHandle h : started) {
                backend.cancel(h);
            }
            remote("rm -rf .ferry-test/jobs/" + site);
            backend.close();
            ssh.close();
        }
    }

    JobHandle submit(PodJob pod) throws BackendException {
        JobHandle h = backend.submit(new dev.ferry.executor.spi.JobRequest(TestPods.identity(site, "local"), pod));
        started.add(h);
        return h;
    }

    JobStatus awaitPhase(JobHandle h, JobPhase phase) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> backend.poll(List.of(h)).get(h),
                s -> s != null && s.phase() == phase);
    }

    String log(JobHandle h, String container, LogStreamKind stream) throws BackendException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            byte[] chunk = backend.readLog(h, container, stream, out.size(), 7);
            if (chunk.length == 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            out.writeBytes(chunk);
        }
    }

    String remote(String command) throws BackendException {
        ExecResult r = ssh.exec(new SshTarget("local", vm.host(), vm.port(), vm.user()), command, new byte[0], Duration.ofSeconds(20));
        return r.stdoutText() + r.stderr();
    }

    @Test
    void aJobThatSucceedsReportsItsContainersAndShipsItsOutput() throws Exception {
        JobHandle h = submit(TestPods.pod()
                .init(TestPods.sh("setup", "", "echo preparing; echo warn >&2"))
                .main(TestPods.sh("main", "", "echo hello from $FERRY_POD_DIR; printf 'no newline'"))
                .build());
        assertThat(h.backendJobId()).isEqualTo("local/" + h.identity().podUid() + "-0");

        JobStatus done = awaitPhase(h, JobPhase.SUCCEEDED);
        assertThat(done.reason()).isEqualTo("Completed");
        assertThat(done.exitCode()).contains(0);
        assertThat(done.startedAt()).isPresent();
        assertThat(done.finishedAt()).isPresent();
        assertThat(done.initContainers()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("setup");
            assertThat(c.state()).isEqualTo(ContainerStatusInfo.State.TERMINATED);
            assertThat(c.exitCode()).contains(0);
        });
        assertThat(done.containers()).singleElement().satisfies(c -> assertThat(c.exitCode()).contains(0));
        assertThat(log(h, "setup", LogStreamKind.STDOUT)).isEqualTo("preparing\n");
        assertThat(log(h, "setup", LogStreamKind.STDERR)).isEqualTo("warn\n");
        assertThat(log(h, "main", LogStreamKind.STDOUT)).matches("hello from /.*/" + site + "/" + h.identity().podUid() + "-0\nno newline");
    }

    @Test
    void aNonZeroExitIsReportedWithTheContainerThatFailed() throws Exception {
        JobHandle h = submit(TestPods.pod()
                .main(TestPods.sh("ok", "", "exit 0"))
                .main(TestPods.sh("bad", "", "echo failing >&2; exit 3"))
                .build());
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("Error");
        assertThat(done.exitCode()).contains(3);
        assertThat(done.signal()).isEmpty();
        assertThat(done.message()).isEqualTo("container bad exited with code 3");
        assertThat(done.containers()).extracting(ContainerStatusInfo::name, c -> c.exitCode().orElseThrow())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ok", 0), org.assertj.core.groups.Tuple.tuple("bad", 3));
        assertThat(log(h, "bad", LogStreamKind.STDERR)).isEqualTo("failing\n");
    }

    @Test
    void aFailingInitContainerStopsThePodBeforeItsContainers() throws Exception {
        JobHandle h = submit(TestPods.pod()
                .init(TestPods.sh("setup", "", "exit 7"))
                .main(TestPods.sh("main", "", "echo never"))
                .build());
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.exitCode()).contains(7);
        assertThat(done.message()).isEqualTo("init container setup exited with code 7");
        assertThat(done.containers()).singleElement().satisfies(c -> assertThat(c.state()).isEqualTo(ContainerStatusInfo.State.WAITING));
        assertThat(log(h, "main", LogStreamKind.STDOUT)).isEmpty();
    }

    @Test
    void aContainerKilledBySignalIsReportedWithTheSignal() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", "", "echo about to die; kill -KILL $$")).build());
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.exitCode()).contains(137);
        assertThat(done.signal()).contains(9);
        assertThat(done.message()).isEqualTo("container main was killed by signal 9 (SIGKILL)");
        assertThat(done.containers()).singleElement().satisfies(c -> assertThat(c.signal()).contains(9));
    }

    @Test
    void cancelStopsARunningJobAndEverythingItStarted() throws Exception {
        String marker = "/tmp/ferry-vm-it-" + UUID.randomUUID();
        JobHandle h = submit(TestPods.pod()
                .main(TestPods.sh("main", "", "sleep 300 & echo $! > " + marker + ".child; echo started; wait"))
                .build());
        awaitPhase(h, JobPhase.RUNNING);
        await().atMost(Duration.ofSeconds(10)).until(() -> remote("cat " + marker + ".child 2>/dev/null").strip().matches("[0-9]+"));
        String child = remote("cat " + marker + ".child").strip();

        backend.cancel(h);
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("Cancelled");
        // gone, or a zombie waiting for init to reap it
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(remote("s=$(ps -o stat= -p " + child
                + "); case \"$s\" in ''|Z*) echo gone ;; *) echo alive ;; esac").strip()).isEqualTo("gone"));
        backend.cancel(h); // cancelling a finished job is not an error
        remote("rm -f " + marker + ".child");
    }

    @Test
    void aJobWhoseProcessesVanishedWithoutAnExitCodeIsReportedKilled() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", "", "sleep 300")).build());
        awaitPhase(h, JobPhase.RUNNING);
        // what a VM reboot or the OOM killer leaves behind: the whole process group gone, no exit file
        String dir = ".ferry-test/jobs/" + site + "/" + h.identity().podUid() + "-0";
        remote("read -r p _ < " + dir + "/pid && kill -KILL -- -$p");
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("Killed");
        assertThat(done.message()).contains("ended without recording an exit code");
        assertThat(done.containers()).singleElement().satisfies(c -> assertThat(c.signal()).contains(9));
    }

    @Test
    void finishedJobsAreDeletedAfterTheRetention() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", "", "true")).build());
        awaitPhase(h, JobPhase.SUCCEEDED);
        VmSettings s = vm.settings("host");
        VmSettings shortRetention = new VmSettings(s.user(), s.identityFile(), null, s.knownHostsFile(), s.workDir(), null, null, null, null,
                null, Duration.ofSeconds(1), s.pools());
        VmBackend cleaning = new VmBackend(site, shortRetention, ssh, new StaticProvisioner(), Clock.systemUTC(), false);
        assertThat(backend.listOwned()).contains(h);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            cleaning.discoverPools();
            assertThat(remote("ls .ferry-test/jobs/" + site + "/ 2>&1")).doesNotContain(h.identity().podUid());
        });
        assertThat(cleaning.listOwned()).doesNotContain(h);
    }

    @Test
    void activeDeadlineStopsTheJob() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", "", "sleep 300")).deadline(Duration.ofSeconds(2)).build());
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("DeadlineExceeded");
    }

    @Test
    void hostileArgumentsEnvironmentAndWorkingDirectoriesStayInert() throws Exception {
        String marker = "/tmp/ferry-vm-hostile-" + UUID.randomUUID();
        List<String> hostile = Hostile.strings(marker);
        List<String> command = new ArrayList<>(List.of("printf", "[%s]\\n"));
        command.addAll(hostile);
        List<PodJob.EnvEntry> env = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) {
            env.add(new PodJob.EnvEntry("HOSTILE_" + i, hostile.get(i), i % 2 == 0));
        }
        PodJob.ContainerSpec args = new PodJob.ContainerSpec("args", "", command, List.of(), env, Optional.empty(), Map.of(), Map.of(), List.of());
        PodJob.ContainerSpec envDump = new PodJob.ContainerSpec("env", "", List.of("sh", "-c", "i=0; while [ $i -lt " + hostile.size()
                + " ]; do eval \"printf '[%s]\\n' \\\"\\$HOSTILE_$i\\\"\"; i=$((i+1)); done"), List.of(), env, Optional.empty(), Map.of(), Map.of(),
                List.of());
        PodJob.ContainerSpec cwd = new PodJob.ContainerSpec("cwd", "", List.of("pwd"), List.of(), List.of(),
                Optional.of("/tmp/$(touch " + marker + ")`touch " + marker + "`"), Map.of(), Map.of(), List.of());
        JobHandle h = submit(TestPods.pod().main(args).main(envDump).main(cwd).build());

        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        StringBuilder expected = new StringBuilder();
        hostile.forEach(s -> expected.append('[').append(s).append("]\n"));
        assertThat(log(h, "args", LogStreamKind.STDOUT)).isEqualTo(expected.toString());
        assertThat(log(h, "env", LogStreamKind.STDOUT)).isEqualTo(expected.toString());
        assertThat(done.containers()).filteredOn(c -> c.name().equals("cwd")).singleElement()
                .satisfies(c -> assertThat(c.exitCode()).contains(127));
        assertThat(remote("ls -d " + marker + "* 2>/dev/null; echo end").strip()).isEqualTo("end");
    }

    @Test
    void aNewBackendFindsTheJobsOfThisSiteAndTheirRealState() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", "", "exit 4")).build());
        awaitPhase(h, JobPhase.FAILED);

        VmSettings settings = vm.settings("host");
        try (SshClient other = new SshClient(VmBackendFactory.sshSettings(settings))) {
            VmBackend restarted = new VmBackend(site, settings, other, new StaticProvisioner(), Clock.systemUTC(), false);
            List<JobHandle> owned = restarted.listOwned();
            assertThat(owned).containsExactly(h);
            JobStatus status = restarted.poll(owned).get(h);
            assertThat(status.phase()).isEqualTo(JobPhase.FAILED);
            assertThat(status.exitCode()).contains(4);
            VmBackend otherSite = new VmBackend(site + "-other", settings, other, new StaticProvisioner(), Clock.systemUTC(), false);
            assertThat(otherSite.listOwned()).isEmpty();
        }
    }

    @Test
    void submittingTheSamePodAttemptTwiceStartsItOnce() throws Exception {
        JobIdentity id = TestPods.identity(site, "local");
        PodJob pod = TestPods.pod().main(TestPods.sh("main", "", "echo once >> ../once-" + id.podUid() + "; sleep 2")).build();
        JobHandle first = backend.submit(new dev.ferry.executor.spi.JobRequest(id, pod));
        JobHandle second = backend.submit(new dev.ferry.executor.spi.JobRequest(id, pod));
        started.add(first);
        assertThat(second).isEqualTo(first);
        awaitPhase(first, JobPhase.SUCCEEDED);
        assertThat(remote("cat .ferry-test/jobs/" + site + "/once-" + id.podUid())).isEqualTo("once\n");
    }

    @Test
    void oneRoundTripPerHostPerPollWhateverTheNumberOfJobs() throws Exception {
        List<JobHandle> jobs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            jobs.add(submit(TestPods.pod().main(TestPods.sh("main", "", "sleep 1")).build()));
        }
        long before = ssh.execCount("local");
        Map<JobHandle, JobStatus> statuses = backend.poll(jobs);
        assertThat(ssh.execCount("local") - before).isEqualTo(1);
        assertThat(statuses).hasSize(20);
    }

    @Test
    void poolsAreTheHostsWithWhatTheyHave() throws Exception {
        List<PoolInfo> pools = backend.discoverPools();
        long cpus = Long.parseLong(remote("nproc").strip());
        long memKiB = Long.parseLong(remote("awk '/MemTotal/{print $2}' /proc/meminfo").strip());
        assertThat(pools).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo("local");
            assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.READY);
            assertThat(p.capacity()).containsEntry("cpu", Long.toString(cpus)).containsEntry("memory", (memKiB / 1024) + "Mi")
                    .doesNotContainKey("nvidia.com/gpu");
            assertThat(p.labels()).containsEntry("ferry.dev/runtime", "host").containsEntry("ferry.dev/hosts", "1");
        });
    }

    @Test
    void aHostWhoseKeyChangedIsRefusedWithAClearError(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path known = tmp.resolve("known_hosts");
        // a different, valid ed25519 key recorded for the same host and port
        Files.writeString(known, "[" + vm.host() + "]:" + vm.port() + " ssh-ed25519 " + randomEd25519Key() + "\n");
        VmSettings settings = vm.settings("host");
        VmSettings wrong = new VmSettings(settings.user(), settings.identityFile(), null, known.toString(), settings.workDir(), null, null,
                null, null, null, null, settings.pools());
        try (SshClient client = new SshClient(VmBackendFactory.sshSettings(wrong))) {
            VmBackend b = new VmBackend(site, wrong, client, new StaticProvisioner(), Clock.systemUTC(), false);
            assertThatThrownBy(b::discoverPools).isInstanceOf(BackendException.class)
                    .hasMessageContaining("its host key does not match the one recorded in " + known)
                    .satisfies(e -> assertThat(((BackendException) e).reason()).isEqualTo(BackendException.Reason.UNAVAILABLE));
            assertThatThrownBy(b::listOwned).hasMessageContaining("cannot rule out that a pod already runs there");
        }
        Files.writeString(known, "");
        try (SshClient client = new SshClient(VmBackendFactory.sshSettings(wrong))) {
            VmBackend b = new VmBackend(site, wrong, client, new StaticProvisioner(), Clock.systemUTC(), false);
            assertThatThrownBy(b::discoverPools).hasMessageContaining("its host key is not in " + known)
                    .hasMessageContaining("ssh-keyscan -p " + vm.port() + " " + vm.host());
        }
    }

    @Test
    void anRsaKeyWorksToo() throws Exception {
        VmSettings settings = vm.settings("host");
        VmSettings rsa = new VmSettings(settings.user(), vm.rsaKey(), null, settings.knownHostsFile(), settings.workDir(), null, null, null,
                null, null, null, settings.pools());
        try (SshClient client = new SshClient(VmBackendFactory.sshSettings(rsa))) {
            VmBackend b = new VmBackend(site, rsa, client, new StaticProvisioner(), Clock.systemUTC(), false);
            assertThat(b.discoverPools()).singleElement().satisfies(p -> assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.READY));
        }
    }

    /** The wire form of an ed25519 public key with random key bytes, base64 as in known_hosts. */
    static String randomEd25519Key() {
        byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        java.nio.ByteBuffer blob = java.nio.ByteBuffer.allocate(4 + type.length + 4 + key.length);
        blob.putInt(type.length).put(type).putInt(key.length).put(key);
        return java.util.Base64.getEncoder().encodeToString(blob.array());
    }
}
