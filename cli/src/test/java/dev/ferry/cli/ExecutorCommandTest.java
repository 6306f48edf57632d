package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutorCommandTest {

    static final String GOOD = """
            site: hpc-a
            kafka: {bootstrapServers: 127.0.0.1:1}
            registry: {url: http://127.0.0.1:1}
            backend:
              type: slurm
              slurm: {workDir: /tmp/ferry-pods, runtime: host}
            """;

    @Test
    void aBadKeyIsAUsageErrorNamingIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("site.yaml");
        Files.writeString(file, GOOD.replace("runtime: host", "runtime: docker"));
        CliRun run = CliRun.ferry("executor", "--config", file.toString());
        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry executor: backend.slurm.runtime: must be one of apptainer, singularity, podman, host, was 'docker'");

        Files.writeString(file, GOOD.replace("kafka:", "kafak:"));
        assertThat(CliRun.ferry("executor", "--config", file.toString()).err()).contains("kafak: is not a known setting");

        Files.writeString(file, GOOD.replace("workDir: /tmp/ferry-pods, ", ""));
        assertThat(CliRun.ferry("executor", "--config", file.toString()).err()).contains("backend.slurm.workDir: is required");
    }

    @Test
    void aMissingFileOrAnotherSiteIsAUsageError(@TempDir Path dir) throws Exception {
        CliRun missing = CliRun.ferry("executor", "--config", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(missing.err()).contains("does not exist");

        Path file = dir.resolve("site.yaml");
        Files.writeString(file, GOOD);
        CliRun other = CliRun.ferry(Map.of(), "executor", "--site", "hpc-b", "--config", file.toString());
        assertThat(other.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(other.err()).contains("--site says 'hpc-b'");
    }

    @Test
    void helpDescribesTheFile() {
        CliRun help = CliRun.ferry("executor", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--config=FILE").contains("backend: (required)");
    }
}
