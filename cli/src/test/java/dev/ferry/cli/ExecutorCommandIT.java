package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.process.ChildProcesses;
import dev.ferry.devkit.registry.SchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry executor} in its own JVM on a real broker and registry: it runs, and SIGTERM stops it cleanly. */
@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class ExecutorCommandIT {

    @Test
    void runsUntilSigtermThenExitsZero(KafkaBroker broker, SchemaRegistry registry, @TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("site.yaml");
        Files.writeString(yaml, "site: " + TestNames.unique("cli") + "\n"
                + "kafka: {bootstrapServers: '" + broker.bootstrapServers() + "'}\n"
                + "registry: {url: '" + registry.baseUrl() + "'}\n"
                + "topics: {prefix: " + TestNames.unique("cli") + ".}\n"
                + "backend:\n  type: slurm\n  slurm: {workDir: " + dir.resolve("pods") + ", runtime: host}\n");
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(ChildProcesses.javaExecutable(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Ferry.class.getName(), "executor", "--config", yaml.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("is running") || !p.isAlive());
            assertThat(p.isAlive()).as(Files.readString(out)).isTrue();
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(out)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(out)).isZero();
            assertThat(Files.readString(out)).contains("stopped");
        } finally {
            ChildProcesses.stop(p.toHandle(), Duration.ofSeconds(5));
        }
    }
}
