package dev.ferry.executor.htcondor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.htcondor.HtcondorSettings;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.EnvEntry;
import dev.ferry.executor.htcondor.model.SubmitDescription.Mode;
import dev.ferry.executor.htcondor.model.SubmitDescription.Owner;
import dev.ferry.executor.htcondor.model.SubmitDescription.PodPath;
import dev.ferry.executor.htcondor.model.SubmitDescription.SubmitJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SubmitDescriptionTest {

    static final String UID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    static final JobIdentity ID = PodJobs.identity("condor-b", UID, "default");
    static final HtcondorSettings SETTINGS = HtcondorSettings.of("/var/lib/ferry/pods");

    static Map<String, String> commands(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank() || line.equals("queue")) {
                continue;
            }
            int eq = line.indexOf(" = ");
            assertThat(eq).as("every line is 'name = value': " + line).isPositive();
            out.put(line.substring(0, eq), line.substring(eq + 3));
        }
        return out;
    }

    static PodPath path(SubmitJob job, String path) {
        return job.paths().stream().filter(p -> p.path().equals(path)).findFirst().orElseThrow(() -> new AssertionError("no " + path));
    }

    @Test
    void aSimplePodRunsItsCommandDirectlyWithIdentityResourcesAndFiles() throws Exception {
        PodJob pod = PodJobs.pod().main(new PodJob.ContainerSpec("main", "busybox", List.of("sh", "-c"), List.of("echo hi; exit 3"),
                List.of(new EnvEntry("GREETING", "hello world", false)), Optional.empty(), Map.of("cpu", "1500m", "memory", "1Gi"),
                Map.of("nvidia.com/gpu", "2"), List.of())).deadline(Duration.ofSeconds(90)).build();
        SubmitJob job = SubmitDescription.render(ID, pod, SETTINGS);
        Map<String, String> c = commands(job.text());
        String dir = "/var/lib/ferry/pods/" + UID + "-0";

        assertThat(job.mode()).isEqualTo(Mode.DIRECT);
        assertThat(job.text()).endsWith("queue\n");
        assertThat(c).containsEntry("universe", "vanilla")
                .containsEntry("executable", "/usr/bin/env")
                .containsEntry("arguments", "\"'sh' '-c' 'echo hi; exit 3'\"")
                .containsEntry("environment", "\"FERRY_POD_DIR='" + dir + "' GREETING='hello world'\"")
                .containsEntry("initialdir", dir + "/work")
                .containsEntry("output", dir + "/logs/main.stdout")
                .containsEntry("error", dir + "/logs/main.stderr")
                .containsEntry("log", dir + "/job.log")
                .containsEntry("transfer_executable", "false")
                .containsEntry("should_transfer_files", "NO")
                .containsEntry("getenv", "false")
                .containsEntry("request_cpus", "2")
                .containsEntry("request_memory", "1024")
                .containsEntry("request_gpus", "2")
                .containsEntry("+FerryDeadline", "90")
                .containsEntry("periodic_remove", "(JobStatus == 2) && (time() - JobCurrentStartExecutingDate > FerryDeadline)")
                .containsEntry("batch_name", "default/" + ID.podName())
                .containsEntry("+FerrySite", "\"condor-b\"")
                .containsEntry("+PodUID", "\"" + UID + "\"")
                .containsEntry("+PodNamespace", "\"default\"")
                .containsEntry("+PodName", "\"" + ID.podName() + "\"")
                .containsEntry("+FerryAttempt", "0")
                .containsEntry("+FerryPool", "\"default\"")
                .containsEntry("+FerryContainers", "\"main\"")
                .doesNotContainKey("requirements")
                .doesNotContainKey("+FerryLauncher");
        assertThat(path(job, "logs").owner()).isEqualTo(Owner.EXECUTOR);
        assertThat(path(job, "logs/main.stdout").owner()).isEqualTo(Owner.JOB);
        assertThat(path(job, "logs/main.stdout").mode()).isEqualTo(0600);
        assertThat(path(job, "work").owner()).isEqualTo(Owner.JOB);
        assertThat(path(job, "job.sub").content()).isEqualTo(job.text().getBytes(StandardCharsets.UTF_8));
        assertThat(job.paths()).noneMatch(p -> p.path().equals(SubmitDescription.LAUNCHER));
    }

    @Test
    void anAbsoluteCommandIsTheExecutableItself() throws Exception {
        SubmitJob job = SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("/bin/echo", "a b")).build(), SETTINGS);
        assertThat(commands(job.text())).containsEntry("executable", "/bin/echo").containsEntry("arguments", "\"'a b'\"");
    }

    @Test
    void hostileArgumentsEnvironmentAndNamesStayInsideTheirValues() throws Exception {
        List<String> hostile = Hostile.carryable("/tmp/ferry-pwned");
        List<EnvEntry> env = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) {
            env.add(new EnvEntry("H" + i, hostile.get(i), false));
        }
        PodJob pod = PodJobs.pod().main(PodJobs.container("main", List.of("printf", "%s\\0"), hostile, env)).build();
        SubmitJob job = SubmitDescription.render(ID, pod, SETTINGS);
        Map<String, String> c = commands(job.text());

        assertThat(job.mode()).isEqualTo(Mode.DIRECT);
        List<String> expected = new ArrayList<>(List.of("printf", "%s\\0"));
        expected.addAll(hostile);
        assertThat(SubmitQuoting.parseArguments(c.get("arguments"))).containsExactlyElementsOf(expected);
        assertThat(SubmitQuotingTest.MACRO.matcher(job.text()).find()).isFalse();
        // nothing hostile added a command: exactly Ferry's
        assertThat(c.keySet()).doesNotContain("include", "queue", "+PodUID = \"someone-else\"")
                .allMatch(k -> k.matches("[+A-Za-z_]+"));
        assertThat(c).containsEntry("+PodUID", "\"" + UID + "\"").containsEntry("executable", "/usr/bin/env");
        assertThat(job.text().lines().filter(l -> l.equals("queue")).count()).isEqualTo(1);
    }

    @Test
    void podsASubmitDescriptionCannotCarryRunThroughTheLauncherWithSecretsOnlyInFiles() throws Exception {
        PodJob pod = PodJobs.pod()
                .init("setup", List.of("sh", "-c"), "echo setting up")
                .main(PodJobs.container("app", List.of("sh", "-c"), List.of("line one\nline two"), List.of(
                        new EnvEntry("PLAIN", "visible", false), new EnvEntry("TOKEN", "s3cr3t-value", true))))
                .main("sidecar", List.of("sleep"), "1")
                .build();
        SubmitJob job = SubmitDescription.render(ID, pod, SETTINGS);
        Map<String, String> c = commands(job.text());
        String dir = "/var/lib/ferry/pods/" + UID + "-0";

        assertThat(job.mode()).isEqualTo(Mode.LAUNCHER);
        assertThat(job.launcherBecause()).anyMatch(r -> r.contains("init containers")).anyMatch(r -> r.contains("2 containers"))
                .anyMatch(r -> r.contains("Secret")).anyMatch(r -> r.contains("line break"));
        assertThat(c).containsEntry("executable", dir + "/ferry-launch").containsEntry("+FerryLauncher", "true")
                .containsEntry("+FerryContainers", "\"app,sidecar\"").containsEntry("+FerryInitContainers", "\"setup\"")
                .doesNotContainKey("arguments");
        assertThat(job.text()).doesNotContain("s3cr3t").doesNotContain("visible");
        assertThat(path(job, "ferry-launch").content()).isEqualTo(SubmitDescription.launcherScript().getBytes(StandardCharsets.UTF_8));
        assertThat(path(job, "ferry-launch").owner()).isEqualTo(Owner.EXECUTOR);
        assertThat(new String(path(job, "spec/containers").content(), StandardCharsets.UTF_8))
                .isEqualTo("init setup\nmain app\nmain sidecar\n");
        assertThat(words(path(job, "spec/app.argv"))).containsExactly("sh", "-c", "line one\nline two");
        PodPath env = path(job, "spec/app.env");
        assertThat(words(env)).containsExactly("PLAIN=visible", "TOKEN=s3cr3t-value");
        assertThat(env.mode()).isEqualTo(0600);
        assertThat(env.owner()).isEqualTo(Owner.JOB);
        assertThat(path(job, "state").owner()).isEqualTo(Owner.JOB);
        assertThat(job.paths()).extracting(PodPath::path).contains("logs/setup.stdout", "logs/app.stderr", "logs/sidecar.stdout");
    }

    static List<String> words(PodPath p) {
        String s = new String(p.content(), StandardCharsets.UTF_8);
        assertThat(s).endsWith("\0");
        return Arrays.asList(s.substring(0, s.length() - 1).split("\0", -1));
    }

    @Test
    void volumesAreFilesOfTheJobsUserWith0600() throws Exception {
        PodJob pod = PodJobs.pod().main("main", List.of("cat"), "/x")
                .volume(new PodJob.VolumeSpec("config", PodJob.VolumeKind.CONFIG_MAP, Optional.empty(), List.of(
                        new PodJob.FileSpec("app/settings.yaml", "a: 1".getBytes(StandardCharsets.UTF_8), false))))
                .volume(new PodJob.VolumeSpec("creds", PodJob.VolumeKind.SECRET, Optional.empty(), List.of(
                        new PodJob.FileSpec("token", "t0k3n".getBytes(StandardCharsets.UTF_8), true))))
                .build();
        SubmitJob job = SubmitDescription.render(ID, pod, SETTINGS);
        assertThat(job.paths()).extracting(PodPath::path).containsSubsequence("volumes", "volumes/config", "volumes/config/app",
                "volumes/config/app/settings.yaml");
        assertThat(path(job, "volumes/creds/token")).satisfies(p -> {
            assertThat(p.mode()).isEqualTo(0600);
            assertThat(p.owner()).isEqualTo(Owner.JOB);
            assertThat(p.content()).isEqualTo("t0k3n".getBytes(StandardCharsets.UTF_8));
        });
        assertThat(path(job, "volumes/config").mode()).isEqualTo(0700);
        assertThat(job.text()).doesNotContain("t0k3n");
    }

    @Test
    void theSitesPoolConstraintAndThePodsRequirementsAreCombined() throws Exception {
        HtcondorSettings settings = SETTINGS.withPools(List.of(new HtcondorSettings.Pool("gpu", "TotalSlotGPUs > 0")));
        PodJob pod = PodJobs.pod().main("main", List.of("true"))
                .annotation(HtcondorSettings.ANNOTATION, "requirements = (Memory > 1024)\nrequest_disk = 2GB\n# a comment\n").build();
        SubmitJob job = SubmitDescription.render(PodJobs.identity("condor-b", UID, "gpu"), pod, settings);
        Map<String, String> c = commands(job.text());
        assertThat(c).containsEntry("requirements", "(TotalSlotGPUs > 0) && ((Memory > 1024))").containsEntry("request_disk", "2GB");
    }

    @Test
    void anUnknownPoolIsRejected() {
        assertThatThrownBy(() -> SubmitDescription.render(PodJobs.identity("condor-b", UID, "nope"),
                PodJobs.pod().main("main", List.of("true")).build(), SETTINGS))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.reason()).isEqualTo(BackendException.Reason.REJECTED);
                    assertThat(e.podReason()).isEqualTo("UnknownPool");
                    assertThat(e.getMessage()).contains("'nope'").contains("default");
                });
    }

    @Test
    void theContainerUniverseNamesTheImageAndRejectsWhatItCannotRun() throws Exception {
        HtcondorSettings settings = SETTINGS.withUniverse("container");
        SubmitJob job = SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("python3", "-c"), "print(1)").build(), settings);
        assertThat(commands(job.text())).containsEntry("universe", "container").containsEntry("container_image", "docker://busybox:1.36")
                .containsEntry("should_transfer_files", "YES").doesNotContainKey("initialdir");
        // no command: the image's entrypoint runs
        PodJob entrypoint = new PodJob(Map.of(), Map.of(), List.of(), List.of(PodJobs.container("main", List.of(), List.of("--flag"), List.of())),
                List.of(), Optional.empty(), "Never");
        assertThat(commands(SubmitDescription.render(ID, entrypoint, settings).text())).doesNotContainKey("executable")
                .containsEntry("arguments", "\"'--flag'\"");
        assertThatThrownBy(() -> SubmitDescription.render(ID, PodJobs.pod().main("a", List.of("true")).main("b", List.of("true")).build(),
                settings)).hasMessageContaining("container universe").hasMessageContaining("has 2 containers");
    }

    @Test
    void badPodsAreRejectedNamingWhatToChange() {
        assertThatThrownBy(() -> SubmitDescription.render(ID, new PodJob(Map.of(), Map.of(), List.of(), List.of(
                PodJobs.container("main", List.of(), List.of("x"), List.of())), List.of(), Optional.empty(), "Never"), SETTINGS))
                .hasMessageContaining("container main has no command").hasMessageContaining("vanilla");
        assertThatThrownBy(() -> SubmitDescription.render(ID, PodJobs.pod().main("Bad_Name", List.of("true")).build(), SETTINGS))
                .hasMessageContaining("'Bad_Name' must be a DNS label");
        assertThatThrownBy(() -> SubmitDescription.render(ID, PodJobs.pod().main(PodJobs.container("main", List.of("true"), List.of(),
                List.of(new EnvEntry("A-B", "x", false)))).build(), SETTINGS)).hasMessageContaining("env 'A-B'");
        assertThatThrownBy(() -> SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("true")).volume(new PodJob.VolumeSpec(
                "host", PodJob.VolumeKind.HOST_PATH, Optional.of("/etc"), List.of())).build(), SETTINGS))
                .hasMessageContaining("volume host is a hostPath");
        assertThatThrownBy(() -> SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("true")).volume(new PodJob.VolumeSpec(
                "v", PodJob.VolumeKind.CONFIG_MAP, Optional.empty(), List.of(new PodJob.FileSpec("../escape", new byte[0], false))))
                .build(), SETTINGS)).hasMessageContaining("'../escape'");
        assertThatThrownBy(() -> SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("true")).deadline(Duration.ZERO).build(),
                SETTINGS)).hasMessageContaining("activeDeadlineSeconds must be positive");
        assertThatThrownBy(() -> SubmitDescription.render(ID, PodJobs.pod().main(new PodJob.ContainerSpec("main", "busybox",
                List.of("true"), List.of(), List.of(), Optional.of("relative/dir"), Map.of(), Map.of(), List.of())).build(), SETTINGS))
                .hasMessageContaining("workingDir of container main must be an absolute path");
        assertThatThrownBy(() -> SubmitDescription.render(ID, PodJobs.pod().main(new PodJob.ContainerSpec("main", "busybox",
                List.of("true"), List.of(), List.of(), Optional.empty(), Map.of("cpu", "lots"), Map.of(), List.of())).build(), SETTINGS))
                .hasMessageContaining("container main: cpu 'lots' is not a Kubernetes quantity");
    }

    @Test
    void aCommandThatEnvCouldMistakeForAnOptionOrAssignmentGoesThroughTheLauncher() throws Exception {
        assertThat(SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("-i")).build(), SETTINGS).mode()).isEqualTo(Mode.LAUNCHER);
        assertThat(SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("A=B")).build(), SETTINGS).mode()).isEqualTo(Mode.LAUNCHER);
        assertThat(SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("/opt/my tool")).build(), SETTINGS).mode())
                .isEqualTo(Mode.LAUNCHER);
        assertThat(SubmitDescription.render(ID, PodJobs.pod().main("main", List.of("python3.12")).build(), SETTINGS).mode())
                .isEqualTo(Mode.DIRECT);
    }
}
