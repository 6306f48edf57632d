package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.process.ChildProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code target/ferry.jar} as users run it ({@code java -jar}, a relative path): the broker child
 * runs {@code kafka.Kafka} from the same single jar, and SIGTERM stops everything with exit code 0.
 */
class ShadedJarIT {

    private static final Path JAR = Paths.get("target", "ferry.jar");
    private static final Pattern KAFKA = Pattern.compile("Kafka\\s+(\\S+:\\d+)\\s");

    @Test
    void versionComesFromTheBuild() throws Exception {
        Process process = java(List.of("--version"), Files.createTempFile("ferry-version", ".out"));

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(new String(process.getInputStream().readAllBytes()))
                .startsWith("ferry " + FerryVersion.version() + System.lineSeparator());
    }

    @Test
    void devRunsKafkaFromTheJarAndStopsEverythingOnSigterm(@TempDir Path dir) throws Exception {
        assertThat(JAR).as("built by the package phase").isRegularFile();
        Path output = dir.resolve("ferry-dev.out");
        Process dev = java(List.of("dev", "--work-dir", dir.resolve("work").toString()), output);
        List<ProcessHandle> children = new ArrayList<>();
        try {
            // the log line "Ferry dev is up in N ms" comes before the summary that names Kafka's address: wait for both
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(dev.isAlive()).as("ferry dev is running; its output:%n%s", read(output)).isTrue();
                assertThat(read(output)).contains("Ferry dev is up");
                assertThat(KAFKA.matcher(read(output)).find()).as("the summary names Kafka's address").isTrue();
            });
            String text = read(output);
            Matcher kafka = KAFKA.matcher(text);
            assertThat(kafka.find()).as(text).isTrue();
            children.addAll(dev.children().toList());
            assertThat(children).hasSize(2);
            assertThat(children).anySatisfy(child -> assertThat(child.info().commandLine().orElse(""))
                    .contains("kafka.Kafka").contains(JAR.toAbsolutePath().toString()));

            CliRun apply = CliRun.ferry("topics", "apply", "-b", kafka.group(1), "--site", "local");
            assertThat(apply.exitCode()).as(apply.err()).isZero();
            assertThat(apply.out()).contains("7 topics: 0 created, 0 updated, 7 unchanged");

            dev.destroy(); // SIGTERM
            assertThat(dev.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(dev.exitValue()).as(read(output)).isZero();
            assertThat(read(output)).contains("Stopped.");
            assertThat(children).noneMatch(ProcessHandle::isAlive);
        } finally {
            ChildProcesses.stop(dev.toHandle(), Duration.ofSeconds(10));
        }
    }

    private static Process java(List<String> args, Path output) throws IOException {
        List<String> command = new ArrayList<>(List.of(ChildProcesses.javaExecutable(), "-jar", JAR.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (!args.contains("--version")) {
            builder.redirectOutput(output.toFile());
        }
        return builder.start();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
