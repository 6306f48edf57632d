package dev.ferry.executor.slurm;

import dev.ferry.executor.process.LocalCommandRunner;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The Slurm the integration tests use: the one {@code SLURM_CONF} points at, else the one
 * {@code scripts/local-slurm.sh start} runs ({@code $FERRY_SLURM_DIR}, default /tmp/ferry-slurm).
 * Tests skip, saying why, when {@code sinfo} cannot reach it.
 */
public final class LocalSlurm {

    private LocalSlurm() {
    }

    /** The environment Slurm's commands need. */
    public static Map<String, String> environment() {
        Map<String, String> extra = new HashMap<>();
        String conf = System.getenv("SLURM_CONF");
        if (conf == null || conf.isBlank()) {
            String dir = Optional.ofNullable(System.getenv("FERRY_SLURM_DIR")).filter(s -> !s.isBlank()).orElse("/tmp/ferry-slurm");
            Path candidate = Path.of(dir, "etc", "slurm.conf");
            if (Files.exists(candidate)) {
                conf = candidate.toString();
            }
        }
        if (conf != null) {
            extra.put("SLURM_CONF", conf);
        }
        return LocalCommandRunner.environment(System.getenv(), extra);
    }

    public static LocalCommandRunner runner() {
        return new LocalCommandRunner(environment(), Path.of(System.getProperty("java.io.tmpdir")), Duration.ofSeconds(60));
    }

    private static volatile Optional<String> unreachable;

    /** Why no Slurm can be used, if none answers {@code sinfo} (asked once per JVM). */
    public static synchronized Optional<String> unreachableReason() {
        if (unreachable == null) {
            String why = null;
            try {
                CommandResult r = runner().run(List.of("sinfo", "-h", "-o", "%P %t"), Duration.ofSeconds(20));
                if (!r.ok() || r.stdout().isBlank()) {
                    why = r.describe();
                }
            } catch (BackendException e) {
                why = e.getMessage();
            }
            unreachable = Optional.ofNullable(why).map(w -> "no Slurm is reachable (sinfo: " + w + "); start one with"
                    + " executors/slurm/scripts/local-slurm.sh start and export SLURM_CONF=/tmp/ferry-slurm/etc/slurm.conf"
                    + " (CI does this in .ci/setup.d/20-slurm.sh)");
        }
        return unreachable;
    }

    /** Skips the calling test, saying why, unless a Slurm answers; call it from {@code @BeforeEach}. */
    public static void assumeReachable() {
        Optional<String> why = unreachableReason();
        Assumptions.assumeTrue(why.isEmpty(), () -> why.orElse(""));
    }

    /** The default partition's name. */
    public static String partition() throws BackendException {
        CommandResult r = runner().run(List.of("sinfo", "-h", "-o", "%P"));
        for (String line : r.stdout().split("\n")) {
            if (line.strip().endsWith("*")) {
                return line.strip().substring(0, line.strip().length() - 1);
            }
        }
        return r.stdout().strip().split("\n")[0];
    }

    /** A fresh work directory the compute node (this machine) can write. */
    public static Path workDir() throws IOException {
        return Files.createTempDirectory(Path.of("/tmp"), "ferry-slurm-it-");
    }

    /** The {@code backend:} section of a site.yaml for the local Slurm (host runtime), with extra YAML under {@code backend.slurm}. */
    public static String backendYaml(Path workDir, String extraSlurm) {
        String slurmConf = environment().getOrDefault("SLURM_CONF", "");
        return "backend:\n  type: slurm\n  environment:\n    SLURM_CONF: '" + slurmConf + "'\n"
                + "  slurm:\n    workDir: " + workDir + "\n    runtime: host\n" + extraSlurm;
    }

    public static SlurmBackend backend(String site, Path workDir) {
        return new SlurmBackend(site, SlurmSettings.of(workDir.toString(), "host"), runner(), ZoneId.systemDefault());
    }

    public static JobIdentity identity(String site, String partition) {
        return new JobIdentity(site, UUID.randomUUID().toString(), "default", "pod-" + UUID.randomUUID().toString().substring(0, 8), 0, partition);
    }

    /** One host-runtime container running {@code command}. */
    public static PodJob pod(Map<String, String> annotations, List<String> command) {
        return new PodJob(Map.of(), annotations, List.of(), List.of(new PodJob.ContainerSpec("main", "busybox", command, List.of(),
                List.of(), Optional.empty(), Map.of(), Map.of(), List.of())), List.of(), Optional.empty(), "Never");
    }

    /** Slurm jobs (any state) named {@code podUid}. */
    public static List<String> jobsNamed(String podUid) throws BackendException {
        CommandResult r = runner().run(List.of("squeue", "-h", "-t", "all", "--name=" + podUid, "-o", "%i"));
        return r.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
