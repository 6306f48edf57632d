package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.JobStatus.JobPhase;
import dev.ferry.executor.spi.LogStreamKind;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.vm.model.Hostile;
import dev.ferry.executor.vm.model.JobBundle;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import dev.ferry.executor.vm.ssh.ExecResult;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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

/** The VM backend running containers with the real (rootless) podman of the local VM, from a local busybox image. */
class VmPodmanIT {

    LocalVm vm;
    String site;
    SshClient ssh;
    VmBackend backend;
    final List<JobHandle> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        vm = LocalVm.requirePodman();
        site = "it-" + UUID.randomUUID().toString().substring(0, 8);
        VmSettings settings = vm.settings("podman");
        ssh = new SshClient(VmBackendFactory.sshSettings(settings));
        backend = new VmBackend(site, settings, ssh, new StaticProvisioner(), Clock.systemUTC(), false);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (backend != null) {
            for (JobHandle h : started) {
                backend.cancel(h);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> backend.poll(started).values().stream().allMatch(JobStatus::isTerminal));
            remote("rm -rf .ferry-test/jobs/" + site);
            ssh.close();
        }
    }

    JobHandle submit(PodJob pod) throws BackendException {
        JobHandle h = backend.submit(new JobRequest(TestPods.identity(site, "local"), pod));
        started.add(h);
        return h;
    }

    JobStatus awaitPhase(JobHandle h, JobPhase phase) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> backend.poll(List.of(h)).get(h),
                s -> s != null && s.phase() == phase);
    }

    String log(JobHandle h, String container, LogStreamKind stream) throws BackendException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            byte[] chunk = backend.readLog(h, container, stream, out.size(), 4096);
            if (chunk.length == 0) {
                return out.toString(StandardCharsets.UTF_8);
            }
            out.writeBytes(chunk);
        }
    }

    String remote(String command) throws BackendException {
        ExecResult r = ssh.exec(new SshTarget("local", vm.host(), vm.port(), vm.user()), command, new byte[0], Duration.ofSeconds(30));
        return r.stdoutText() + r.stderr();
    }

    @Test
    void aContainerRunsFromTheLocalImageWithItsEnvironmentAndVolumes() throws Exception {
        PodJob.VolumeSpec config = new PodJob.VolumeSpec("config", PodJob.VolumeKind.CONFIG_MAP, Optional.empty(),
                List.of(new PodJob.FileSpec("app/settings.conf", "level=debug\n".getBytes(StandardCharsets.UTF_8), false)));
        PodJob.VolumeSpec secret = new PodJob.VolumeSpec("creds", PodJob.VolumeKind.SECRET, Optional.empty(),
                List.of(new PodJob.FileSpec("token", "s3cr3t".getBytes(StandardCharsets.UTF_8), true)));
        PodJob.ContainerSpec main = new PodJob.ContainerSpec("main", vm.image(), List.of("sh", "-c"),
                List.of("echo \"greeting=$GREETING token=$TOKEN\"; cat /etc/app/app/settings.conf; cat /run/creds/token; echo; pwd; "
                        + "touch /etc/app/x 2>/dev/null || echo read-only"),
                List.of(new PodJob.EnvEntry("GREETING", "hello world", false), new PodJob.EnvEntry("TOKEN", "from-secret", true)),
                Optional.of("/tmp"), Map.of(), Map.of(),
                List.of(new PodJob.MountSpec("config", "/etc/app", true, Optional.empty()),
                        new PodJob.MountSpec("creds", "/run/creds", true, Optional.empty())));
        JobHandle h = submit(TestPods.pod().volume(config).volume(secret).main(main).build());

        JobStatus done = awaitPhase(h, JobPhase.SUCCEEDED);
        assertThat(done.exitCode()).contains(0);
        assertThat(log(h, "main", LogStreamKind.STDOUT))
                .isEqualTo("greeting=hello world token=from-secret\nlevel=debug\ns3cr3t\n/tmp\nread-only\n");
        assertThat(log(h, "main", LogStreamKind.STDERR)).isEmpty();
    }

    @Test
    void aPathAsImageRunsThatRootFilesystem() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", vm.rootfs(), "echo from rootfs; exit 5")).build());
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.exitCode()).contains(5);
        assertThat(log(h, "main", LogStreamKind.STDOUT)).isEqualTo("from rootfs\n");
    }

    @Test
    void aContainerKilledFromOutsideReportsTheSignal() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", vm.image(), "echo up; sleep 300")).build());
        awaitPhase(h, JobPhase.RUNNING);
        String name = JobBundle.containerName(h.identity(), "main");
        await().atMost(Duration.ofSeconds(30)).until(() -> remote("podman ps --format '{{.Names}}'").contains(name));
        remote("podman kill --signal KILL " + name);
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.exitCode()).contains(137);
        assertThat(done.signal()).contains(9);
        assertThat(done.message()).isEqualTo("container main was killed by signal 9 (SIGKILL)");
    }

    @Test
    void cancelStopsTheContainer() throws Exception {
        JobHandle h = submit(TestPods.pod().main(TestPods.sh("main", vm.image(), "echo up; sleep 300")).build());
        awaitPhase(h, JobPhase.RUNNING);
        String name = JobBundle.containerName(h.identity(), "main");
        await().atMost(Duration.ofSeconds(30)).until(() -> remote("podman ps --format '{{.Names}}'").contains(name));
        backend.cancel(h);
        JobStatus done = awaitPhase(h, JobPhase.FAILED);
        assertThat(done.reason()).isEqualTo("Cancelled");
        assertThat(remote("podman ps -a --format '{{.Names}}'")).doesNotContain(name);
    }

    @Test
    void hostileArgumentsStayInertInsideAndOutsideTheContainer() throws Exception {
        String marker = "/tmp/ferry-vm-hostile-" + UUID.randomUUID();
        List<String> hostile = Hostile.strings(marker);
        List<String> command = new ArrayList<>(List.of("printf", "[%s]\\n"));
        command.addAll(hostile);
        PodJob.ContainerSpec c = new PodJob.ContainerSpec("main", vm.image(), command, List.of(), List.of(), Optional.empty(), Map.of(),
                Map.of(), List.of());
        JobHandle h = submit(TestPods.pod().main(c).build());
        awaitPhase(h, JobPhase.SUCCEEDED);
        StringBuilder expected = new StringBuilder();
        hostile.forEach(s -> expected.append('[').append(s).append("]\n"));
        assertThat(log(h, "main", LogStreamKind.STDOUT)).isEqualTo(expected.toString());
        assertThat(remote("ls -d " + marker + "* 2>/dev/null; echo end").strip()).isEqualTo("end");
    }
}
