package dev.ferry.executor.vm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.model.Shell;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.ContainerSpec;
import dev.ferry.executor.spi.PodJob.EnvEntry;
import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobBundleTest {

    static final JobIdentity ID = new JobIdentity("vm-a", "0b7c6a4e-2f7d-4c1e-9a61-7d1f0f0e5c11", "team", "trainer", 2, "gpu");
    static final PoolSettings PODMAN = PoolSettings.of("gpu", "podman", List.of(HostSettings.of("10.0.0.5", 22)));
    static final PoolSettings HOST = PoolSettings.of("gpu", "host", List.of(HostSettings.of("10.0.0.5", 22)));

    static ContainerSpec container(String name, String image, List<String> command, List<String> args) {
        return new ContainerSpec(name, image, command, args, List.of(), Optional.empty(), Map.of(), Map.of(), List.of());
    }

    static PodJob pod(ContainerSpec... containers) {
        return new PodJob(Map.of(), Map.of(), List.of(), List.of(containers), List.of(), Optional.empty(), "Never");
    }

    static JobBundle.Bundle render(PodJob pod, PoolSettings pool) throws BackendException {
        return JobBundle.render(ID, pod, pool, "vm-1", Duration.ofSeconds(10));
    }

    @Test
    void theDirectoryHoldsIdentityResourcesContainersEnvironmentAndTheWrapper() throws Exception {
        ContainerSpec main = new ContainerSpec("main", "localhost/app:1", List.of("python"), List.of("train.py"),
                List.of(new EnvEntry("MODE", "fast", false), new EnvEntry("TOKEN", "s3cr3t", true)), Optional.of("/work"),
                Map.of("cpu", "1500m", "memory", "2Gi"), Map.of("nvidia.com/gpu", "1"), List.of());
        JobBundle.Bundle b = render(new PodJob(Map.of(), Map.of(), List.of(container("setup", "localhost/app:1", List.of("true"), List.of())),
                List.of(main), List.of(), Optional.empty(), "Never"), PODMAN);

        assertThat(b.file("identity").orElseThrow().text()).isEqualTo("site=vm-a\npodUid=" + ID.podUid()
                + "\nnamespace=team\npodName=trainer\nattempt=2\npool=gpu\nhost=vm-1\n");
        assertThat(b.resources()).isEqualTo(new Resources(1500, 2L << 30, 1));
        assertThat(b.file("containers").orElseThrow().text()).isEqualTo("init setup\nmain main\n");
        assertThat(b.file("env/main.env").orElseThrow().text()).isEqualTo("export MODE='fast'\nexport TOKEN='s3cr3t'\n");
        assertThat(b.file("env/main.env").orElseThrow().mode()).isEqualTo(0600);
        assertThat(b.files().get(b.files().size() - 1).path()).isEqualTo("run.sh");
        assertThat(b.initNames()).containsExactly("setup");
        assertThat(b.names()).containsExactly("main");
        String wrapper = b.wrapper();
        assertThat(wrapper).doesNotContain("s3cr3t").doesNotContain("fast");
        assertThat(wrapper).contains("exec 'podman' '--log-level=error' 'run' '--rm' '--name=ferry-" + ID.podUid() + "-2-main'"
                + " '--device' 'nvidia.com/gpu=all' '--env=MODE' '--env=TOKEN' '--workdir=/work' '--entrypoint=[\"python\"]' 'localhost/app:1' 'train.py'\n");
        assertThat(wrapper).contains("'podman' 'stop' '--time=9' 'ferry-" + ID.podUid() + "-2-main' >/dev/null 2>&1 </dev/null &");
        assertThat(wrapper).contains("ferry_put exit \"$ferry_code $(ferry_now)\"");
        assertThat(wrapper.indexOf("ferry_run 'setup'")).isLessThan(wrapper.indexOf("ferry_run 'main'"));
    }

    @Test
    void everyHostileValueIsOneSingleQuotedWordOfTheWrapper() throws Exception {
        List<String> hostile = Hostile.strings("/tmp/pwned");
        List<String> command = new ArrayList<>(List.of("printf"));
        command.addAll(hostile);
        JobBundle.Bundle b = render(pod(container("main", "", command, hostile)), HOST);
        String wrapper = b.wrapper();
        StringBuilder expected = new StringBuilder("  exec");
        command.forEach(w -> expected.append(' ').append(Shell.quote(w)));
        hostile.forEach(w -> expected.append(' ').append(Shell.quote(w)));
        assertThat(wrapper).contains(expected.append('\n').toString());
        // read back as a shell would split the exec line: exactly the words that went in
        String line = expected.toString().strip();
        List<String> words = Shell.words(line).words();
        assertThat(words.subList(1, words.size())).containsExactlyElementsOf(concat(command, hostile));
    }

    @Test
    void annotationsReachNoScriptAtAll() throws Exception {
        // the VM backend reads no annotation; interLink's slurm ones (shell code by design) must not leak into a VM job
        java.util.Map<String, String> annotations = new java.util.HashMap<>();
        List<String> hostile = Hostile.strings("/tmp/pwned");
        for (int i = 0; i < hostile.size(); i++) {
            annotations.put("slurm-job.vk.io/pre-exec-" + i, hostile.get(i));
        }
        annotations.put("slurm-job.vk.io/pre-exec", "touch /tmp/pwned");
        PodJob p = new PodJob(Map.of(), annotations, List.of(), List.of(container("main", "img", List.of("true"), List.of())), List.of(),
                Optional.empty(), "Never");
        JobBundle.Bundle b = render(p, PODMAN);
        for (JobBundle.JobFile f : b.files()) {
            assertThat(f.text()).doesNotContain("pwned");
        }
    }

    @Test
    void hostileEnvironmentValuesAreQuotedInTheEnvFileOnly() throws Exception {
        List<EnvEntry> env = new ArrayList<>();
        List<String> hostile = Hostile.strings("/tmp/pwned");
        for (int i = 0; i < hostile.size(); i++) {
            env.add(new EnvEntry("V" + i, hostile.get(i), i % 2 == 1));
        }
        ContainerSpec c = new ContainerSpec("main", "img", List.of("env"), List.of(), env, Optional.empty(), Map.of(), Map.of(), List.of());
        JobBundle.Bundle b = render(pod(c), PODMAN);
        String file = b.file("env/main.env").orElseThrow().text();
        for (int i = 0; i < hostile.size(); i++) {
            assertThat(file).contains("export V" + i + "=" + Shell.quote(hostile.get(i)) + "\n");
            assertThat(b.wrapper()).doesNotContain(hostile.get(i));
        }
    }

    @Test
    void volumesAreFilesOfThePodDirectoryMountedFromIt() throws Exception {
        PodJob.VolumeSpec config = new PodJob.VolumeSpec("config", PodJob.VolumeKind.CONFIG_MAP, Optional.empty(),
                List.of(new PodJob.FileSpec("a/b/c.conf", "x=1".getBytes(StandardCharsets.UTF_8), false)));
        ContainerSpec c = new ContainerSpec("main", "img", List.of(), List.of(), List.of(), Optional.empty(), Map.of(), Map.of(),
                List.of(new PodJob.MountSpec("config", "/etc/app", true, Optional.of("a"))));
        JobBundle.Bundle b = render(new PodJob(Map.of(), Map.of(), List.of(), List.of(c), List.of(config), Optional.empty(), "Never"), PODMAN);
        assertThat(b.directories()).containsSubsequence("volumes", "volumes/config", "volumes/config/a", "volumes/config/a/b");
        assertThat(b.file("volumes/config/a/b/c.conf").orElseThrow().mode()).isEqualTo(0600);
        assertThat(b.wrapper()).contains(" '--volume='\"$FERRY_POD_DIR\"'/volumes/config/a'':/etc/app:ro' 'img'\n");
    }

    @Test
    void anActiveDeadlineStartsAWatchdogThatSignalsTheProcessGroup() throws Exception {
        PodJob p = new PodJob(Map.of(), Map.of(), List.of(), List.of(container("main", "", List.of("sleep", "9"), List.of())), List.of(),
                Optional.of(Duration.ofSeconds(90)), "Never");
        assertThat(render(p, HOST).wrapper()).contains("( sleep 90 && ferry_put deadline \"$(ferry_now)\" && kill -TERM \"-$$\" )");
        assertThatThrownBy(() -> render(p, new PoolSettings("gpu", "host", null, null, null, null, Duration.ofSeconds(60), null, List.of())))
                .hasMessageContaining("activeDeadlineSeconds 90 is longer than pool gpu allows (60 s)");
    }

    @Test
    void limitsArePassedOnlyWhenThePoolEnforcesThem() throws Exception {
        ContainerSpec c = new ContainerSpec("main", "img", List.of(), List.of(), List.of(), Optional.empty(), Map.of(),
                Map.of("cpu", "1500m", "memory", "1Gi"), List.of());
        assertThat(render(pod(c), PODMAN).wrapper()).doesNotContain("--cpus");
        PoolSettings enforcing = new PoolSettings("gpu", "podman", null, null, true, null, null, null, List.of());
        assertThat(render(pod(c), enforcing).wrapper()).contains("'--cpus=1.500' '--memory=1073741824b'");
    }

    @Test
    void otherRuntimesBuildTheirOwnCommandLines() throws Exception {
        ContainerSpec c = new ContainerSpec("main", "ubuntu:22.04", List.of("bash", "-c"), List.of("echo hi"), List.of(), Optional.of("/w"),
                Map.of(), Map.of(), List.of());
        assertThat(render(pod(c), PoolSettings.of("p", "docker", List.of())).wrapper())
                .contains("exec 'docker' 'run' '--rm' '--name=ferry-" + ID.podUid() + "-2-main' '--workdir=/w' '--entrypoint=bash' 'ubuntu:22.04' '-c' 'echo hi'\n");
        assertThat(render(pod(c), PoolSettings.of("p", "apptainer", List.of())).wrapper())
                .contains("exec 'apptainer' 'exec' '--pwd=/w' 'docker://ubuntu:22.04' 'bash' '-c' 'echo hi'\n");
        assertThat(render(pod(c), HOST).wrapper()).contains("  cd -- '/w' || exit 127\n  exec 'bash' '-c' 'echo hi'\n");
        ContainerSpec rootfs = container("main", "/srv/rootfs", List.of("sh"), List.of());
        assertThat(render(pod(rootfs), PODMAN).wrapper()).contains("'--entrypoint=[\"sh\"]' '--rootfs' '/srv/rootfs'\n");
    }

    @Test
    void podsThatCannotRunAreRefusedNamingWhatToChange() {
        assertRejected(pod(container("Main_1", "img", List.of(), List.of())), PODMAN, "InvalidPod", "container name 'Main_1' must be a DNS label");
        assertRejected(pod(container("main", "--privileged", List.of(), List.of())), PODMAN, "InvalidImage", "must not start with '-'");
        assertRejected(pod(container("main", "img with space", List.of(), List.of())), PODMAN, "InvalidImage", "spaces");
        assertRejected(pod(container("main", "", List.of(), List.of())), PODMAN, "InvalidPod", "needs an image");
        assertRejected(pod(container("main", "img", List.of(), List.of())), HOST, "InvalidPod", "has no command");
        assertRejected(pod(container("main", "/rootfs", List.of("sh"), List.of())), PoolSettings.of("p", "docker", List.of()), "InvalidImage",
                "only podman (--rootfs) and apptainer");
        ContainerSpec badEnv = new ContainerSpec("main", "img", List.of(), List.of(), List.of(new EnvEntry("A-B", "x", false)), Optional.empty(),
                Map.of(), Map.of(), List.of());
        assertRejected(pod(badEnv), PODMAN, "InvalidEnv", "env 'A-B' of container main");
        PodJob hostPath = new PodJob(Map.of(), Map.of(), List.of(), List.of(container("main", "img", List.of(), List.of())),
                List.of(new PodJob.VolumeSpec("data", PodJob.VolumeKind.HOST_PATH, Optional.of("/data"), List.of())), Optional.empty(), "Never");
        assertRejected(hostPath, PODMAN, "UnsupportedVolume", "backend.vm.pools[].allowHostPath");
        PodJob climbing = new PodJob(Map.of(), Map.of(), List.of(), List.of(container("main", "img", List.of(), List.of())),
                List.of(new PodJob.VolumeSpec("c", PodJob.VolumeKind.CONFIG_MAP, Optional.empty(),
                        List.of(new PodJob.FileSpec("../../.ssh/authorized_keys", new byte[0], false)))), Optional.empty(), "Never");
        assertRejected(climbing, PODMAN, "InvalidPod", "must be a relative path without '..'");
        ContainerSpec badMount = new ContainerSpec("main", "img", List.of(), List.of(), List.of(), Optional.empty(), Map.of(), Map.of(),
                List.of(new PodJob.MountSpec("c", "/etc:/x", false, Optional.empty())));
        PodJob withMount = new PodJob(Map.of(), Map.of(), List.of(), List.of(badMount),
                List.of(new PodJob.VolumeSpec("c", PodJob.VolumeKind.EMPTY_DIR, Optional.empty(), List.of())), Optional.empty(), "Never");
        assertRejected(withMount, PODMAN, "InvalidPod", "mountPath '/etc:/x'");
        ContainerSpec badCpu = new ContainerSpec("main", "img", List.of(), List.of(), List.of(), Optional.empty(), Map.of("cpu", "lots"), Map.of(),
                List.of());
        assertRejected(pod(badCpu), PODMAN, "InvalidResource", "'lots' is not a Kubernetes quantity");
        assertRejected(pod(container("main", "img", List.of("a\0b"), List.of())), PODMAN, "InvalidPod", "NUL");
    }

    static void assertRejected(PodJob pod, PoolSettings pool, String reason, String message) {
        assertThatThrownBy(() -> render(pod, pool)).isInstanceOf(BackendException.class).hasMessageContaining(message)
                .satisfies(e -> {
                    assertThat(((BackendException) e).reason()).isEqualTo(BackendException.Reason.REJECTED);
                    assertThat(((BackendException) e).podReason()).isEqualTo(reason);
                });
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
