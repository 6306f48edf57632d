package dev.ferry.executor.slurm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.model.Shell;
import dev.ferry.executor.slurm.SlurmSettings;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.ContainerSpec;
import dev.ferry.executor.spi.PodJob.EnvEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BatchScriptTest {

    static final JobIdentity ID = new JobIdentity("hpc-a", "0b6c3f52-1111-2222-3333-444455556666", "team", "train", 2, "debug");
    static final SlurmSettings HOST = SlurmSettings.of("/scratch/ferry", "host");
    static final String DIR = BatchScript.podDirectory(HOST, ID);

    static ContainerSpec container(String name, List<String> command, List<String> args, List<EnvEntry> env) {
        return new ContainerSpec(name, "busybox:1.36", command, args, env, Optional.empty(), Map.of(), Map.of(), List.of());
    }

    static PodJob pod(Map<String, String> annotations, ContainerSpec... containers) {
        return new PodJob(Map.of(), annotations, List.of(), List.of(containers), List.of(), Optional.empty(), "Never");
    }

    @Test
    void ferryOptionsComeLastAndTheScriptHasNoDirectives() throws Exception {
        PodJob pod = pod(Map.of(SbatchFlags.ANNOTATION, "--job-name=mine --partition=other --time=5"),
                container("main", List.of("echo", "hi"), List.of(), List.of()));
        BatchScript.BatchJob job = BatchScript.render(ID, pod, HOST, DIR);

        assertThat(job.sbatchOptions()).containsSubsequence("--job-name=mine", "--partition=other", "--time=5",
                "--job-name=" + ID.podUid(), "--comment=" + JobComment.encode(ID), "--partition=debug",
                "--output=" + DIR + "/slurm.out", "--error=" + DIR + "/slurm.out", "--chdir=" + DIR);
        assertThat(job.script().lines().toList().get(0)).isEqualTo("#!/bin/bash");
        assertThat(job.script().lines().toList().get(1)).isEqualTo("set -u");
        assertThat(job.script().lines().filter(l -> l.startsWith("#SBATCH"))).isEmpty();
        assertThat(DIR).isEqualTo("/scratch/ferry/" + ID.podUid() + "-2");
    }

    @Test
    void everyUserStringIsOneSingleQuotedWord() throws Exception {
        String marker = "/tmp/pwned-test";
        for (String hostile : Hostile.strings(marker)) {
            PodJob pod = pod(Map.of(), new ContainerSpec("main", "busybox", List.of("printf", "%s\\n"), List.of(hostile),
                    List.of(new EnvEntry("HOSTILE", hostile, false)), Optional.of("/tmp/" + hostile), Map.of(), Map.of(), List.of()));
            String script = BatchScript.render(ID, pod, HOST, DIR).script();

            assertThat(script).contains("export HOSTILE=" + Shell.quote(hostile) + "\n");
            assertThat(script).contains("'printf' '%s\\n' " + Shell.quote(hostile));
            assertThat(script).contains("cd -- " + Shell.quote("/tmp/" + hostile) + " || exit 127");
            // outside the quoted words the script is the same as for a harmless pod
            String harmless = BatchScript.render(ID, pod(Map.of(), new ContainerSpec("main", "busybox", List.of("printf", "%s\\n"), List.of("x"),
                    List.of(new EnvEntry("HOSTILE", "x", false)), Optional.of("/tmp/x"), Map.of(), Map.of(), List.of())), HOST, DIR).script();
            assertThat(script.replace(Shell.quote(hostile), "'x'").replace(Shell.quote("/tmp/" + hostile), "'/tmp/x'")).isEqualTo(harmless);
        }
    }

    @Test
    void apptainerWordsFromAnnotationsAreSplitButNotExpanded() throws Exception {
        SlurmSettings apptainer = SlurmSettings.of("/scratch/ferry", "apptainer");
        PodJob pod = pod(Map.of(BatchScript.SINGULARITY_OPTIONS, "--cleanenv --env 'A=$(id)'",
                        BatchScript.SINGULARITY_MOUNTS, "--bind /data:/data",
                        BatchScript.MPI_FLAGS, "-np 4"),
                container("main", List.of("python", "train.py"), List.of("--lr", "0.1"), List.of()));
        String script = BatchScript.render(ID, pod, apptainer, DIR).script();

        assertThat(script).contains("exec 'mpiexec' '-np' '4' 'apptainer' 'exec' '--cleanenv' '--env' 'A=$(id)' '--bind' '/data:/data' "
                + "'docker://busybox:1.36' 'python' 'train.py' '--lr' '0.1'\n");
    }

    @Test
    void podmanRunsTheCommandAsEntrypoint() throws Exception {
        SlurmSettings podman = SlurmSettings.of("/scratch/ferry", "podman");
        PodJob pod = pod(Map.of(), container("main", List.of("sh", "-c"), List.of("exit 3"), List.of(new EnvEntry("A", "1", false))));
        String script = BatchScript.render(ID, pod, podman, DIR).script();
        assertThat(script).contains("exec 'podman' 'run' '--rm' '--name' 'ferry-" + ID.podUid() + "-2-main' '--env' 'A' '--entrypoint' 'sh' "
                + "'busybox:1.36' '-c' 'exit 3'\n");
    }

    @Test
    void secretsStayOutOfTheScriptAndGoToAnOwnerOnlyFile() throws Exception {
        PodJob pod = pod(Map.of(), container("main", List.of("env"), List.of(),
                List.of(new EnvEntry("TOKEN", "s3cr3t'$(x)", true), new EnvEntry("PLAIN", "p", false))));
        BatchScript.BatchJob job = BatchScript.render(ID, pod, HOST, DIR);

        assertThat(job.script()).doesNotContain("s3cr3t");
        assertThat(job.script()).contains(". \"$FERRY_POD_DIR/env/\"'main''.env'");
        BatchScript.PodFile env = job.files().stream().filter(f -> f.path().equals("env/main.env")).findFirst().orElseThrow();
        assertThat(new String(env.content(), StandardCharsets.UTF_8)).isEqualTo("export TOKEN=" + Shell.quote("s3cr3t'$(x)") + "\n");
        assertThat(env.mode()).isEqualTo(0600);
    }

    @Test
    void volumesAreWrittenOwnerOnlyAndMountedByPath() throws Exception {
        SlurmSettings apptainer = SlurmSettings.of("/scratch/ferry", "apptainer");
        PodJob.VolumeSpec config = new PodJob.VolumeSpec("config", PodJob.VolumeKind.CONFIG_MAP, Optional.of("cm"),
                List.of(new PodJob.FileSpec("app/settings.yaml", "a: 1".getBytes(StandardCharsets.UTF_8), false)));
        ContainerSpec main = new ContainerSpec("main", "busybox", List.of("cat"), List.of("/etc/app/app/settings.yaml"), List.of(),
                Optional.empty(), Map.of(), Map.of(), List.of(new PodJob.MountSpec("config", "/etc/app", true, Optional.empty())));
        PodJob pod = new PodJob(Map.of(), Map.of(), List.of(), List.of(main), List.of(config), Optional.empty(), "Never");
        BatchScript.BatchJob job = BatchScript.render(ID, pod, apptainer, DIR);

        assertThat(job.files()).filteredOn(f -> f.path().equals("volumes/config/app/settings.yaml")).singleElement()
                .satisfies(f -> assertThat(f.mode()).isEqualTo(0600));
        assertThat(job.directories()).contains("volumes/config", "volumes/config/app");
        assertThat(job.script()).contains("'--bind' '" + DIR + "/volumes/config:/etc/app:ro'");
    }

    @Test
    void resourcesBecomeSbatchOptions() throws Exception {
        ContainerSpec a = new ContainerSpec("a", "img", List.of("x"), List.of(), List.of(), Optional.empty(),
                Map.of("cpu", "1500m", "memory", "1Gi", "nvidia.com/gpu", "1"), Map.of(), List.of());
        ContainerSpec b = new ContainerSpec("b", "img", List.of("x"), List.of(), List.of(), Optional.empty(),
                Map.of("cpu", "1"), Map.of("memory", "512Mi"), List.of());
        ContainerSpec init = new ContainerSpec("init", "img", List.of("x"), List.of(), List.of(), Optional.empty(),
                Map.of("cpu", "4"), Map.of(), List.of());
        PodJob pod = new PodJob(Map.of(), Map.of(), List.of(init), List.of(a, b), List.of(), Optional.of(Duration.ofSeconds(90)), "Never");
        List<String> options = BatchScript.render(ID, pod, HOST, DIR).sbatchOptions();
        assertThat(options).contains("--cpus-per-task=4", "--mem=1536M", "--gres=gpu:1", "--time=2");
    }

    @Test
    void initContainersRunInOrderBeforeTheContainers() throws Exception {
        ContainerSpec first = container("first", List.of("true"), List.of(), List.of());
        ContainerSpec second = container("second", List.of("true"), List.of(), List.of());
        PodJob pod = new PodJob(Map.of(), Map.of(), List.of(first, second), List.of(container("main", List.of("true"), List.of(), List.of())),
                List.of(), Optional.empty(), "Never");
        String script = BatchScript.render(ID, pod, HOST, DIR).script();
        assertThat(script.indexOf("# init container first")).isLessThan(script.indexOf("# init container second"));
        assertThat(script.indexOf("# init container second")).isLessThan(script.indexOf("# container main"));
        assertThat(script).contains("[ \"$ferry_rc\" -eq 0 ] || exit \"$ferry_rc\"");
    }

    @Test
    void refusesWhatItCannotRunSafely() {
        Map<String, PodJob> bad = new HashMap<>();
        bad.put("container name", pod(Map.of(), container("Main;rm", List.of("true"), List.of(), List.of())));
        bad.put("env", pod(Map.of(), container("main", List.of("true"), List.of(), List.of(new EnvEntry("A-B", "x", false)))));
        bad.put("pre-exec", pod(Map.of(BatchScript.PRE_EXEC, "module load x"), container("main", List.of("true"), List.of(), List.of())));
        bad.put("no command", pod(Map.of(), container("main", List.of(), List.of(), List.of())));
        bad.put("NUL", pod(Map.of(), container("main", List.of("echo", "a\0b"), List.of(), List.of())));
        bad.put("path traversal", new PodJob(Map.of(), Map.of(), List.of(), List.of(container("main", List.of("true"), List.of(), List.of())),
                List.of(new PodJob.VolumeSpec("v", PodJob.VolumeKind.SECRET, Optional.empty(),
                        List.of(new PodJob.FileSpec("../../etc/passwd", new byte[0], true)))), Optional.empty(), "Never"));
        bad.put("hostPath", new PodJob(Map.of(), Map.of(), List.of(), List.of(container("main", List.of("true"), List.of(), List.of())),
                List.of(new PodJob.VolumeSpec("v", PodJob.VolumeKind.HOST_PATH, Optional.of("/"), List.of())), Optional.empty(), "Never"));
        bad.put("flag", pod(Map.of(SbatchFlags.ANNOTATION, "--wrap='rm -rf /'"), container("main", List.of("true"), List.of(), List.of())));
        List<String> messages = new ArrayList<>();
        bad.forEach((what, pod) -> assertThatThrownBy(() -> BatchScript.render(ID, pod, HOST, DIR))
                .as(what).isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.REJECTED);
                    messages.add(e.podReason() + ": " + e.getMessage());
                }));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("PreExecNotAllowed").contains("allowPreExec"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("InvalidFlag").contains("--wrap"));
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("'../../etc/passwd'"));
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("allowHostPath"));
    }

    @Test
    void preExecRunsQuotedWhenTheSiteAllowsIt() throws Exception {
        String code = "module load cuda; export X='$(y)'";
        PodJob pod = pod(Map.of(BatchScript.PRE_EXEC, code), container("main", List.of("true"), List.of(), List.of()));
        String script = BatchScript.render(ID, pod, HOST.withAllowPreExec(true), DIR).script();
        assertThat(script).contains("eval " + Shell.quote(code) + "\n");
    }
}
