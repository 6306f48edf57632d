package dev.ferry.cli;

import static dev.ferry.cli.CliRun.ferry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.devkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FerryCommandTest {

    @Test
    void helpListsTheCommandsThatWorkAndTheComingOnes() {
        CliRun run = ferry("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("Usage: ferry")
                .containsPattern("(?m)^\\s+dev\\s+Run all of Ferry on this machine")
                .containsPattern("(?m)^\\s+topics\\s+Manage Ferry's Kafka topics")
                .containsPattern("(?m)^\\s+gateway\\s+Run the gateway")
                .containsPattern("(?m)^\\s+executor\\s")
                .containsPattern("(?m)^\\s+router\\s")
                .contains("Coming in a later version: replay.")
                .doesNotContainPattern("(?m)^\\s+replay\\s");
    }

    @Test
    void topicsApplyHelpDocumentsEveryOptionWithItsDefaultAndVariable() {
        CliRun run = ferry("topics", "apply", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("--bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")
                .contains("--timeout", "Default: 15s")
                .contains("--site", "--config", "--set", "--verbose")
                .contains("ferry.topic.partitions", "FERRY_TOPIC_PARTITIONS")
                .contains("Exit codes:");
    }

    @Test
    void devHelpDocumentsItsOptions() {
        CliRun run = ferry("dev", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("--work-dir", "Default: .ferry/dev")
                .contains("--kafka-port", "--registry-port", "--site", "Default: local")
                .contains("Ctrl-C");
    }

    @Test
    void versionIsTheProjectVersion() {
        CliRun run = ferry("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("ferry " + FerryVersion.version()).doesNotContain("${");
        assertThat(FerryVersion.version()).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void topicsApplyGivesUpOnAnUnreachableBrokerWithinTheTimeoutNamingItsAddress() {
        String address = "127.0.0.1:" + Ports.freePort();
        long started = System.nanoTime();

        CliRun run = ferry("topics", "apply", "--bootstrap-servers", address, "--timeout", "3s");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_FAILED);
        assertThat(run.err()).contains(address).doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void verboseAddsTheStackTrace() {
        String address = "127.0.0.1:" + Ports.freePort();

        CliRun run = ferry("topics", "apply", "--bootstrap-servers", address, "--timeout", "1s", "--verbose");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_FAILED);
        assertThat(run.err()).contains(address).contains("KafkaUnavailableException").contains("\tat ");
    }

    @Test
    void theBootstrapAddressDefaultsToTheEnvironmentVariable() {
        String address = "127.0.0.1:" + Ports.freePort();

        CliRun run = ferry(Map.of("KAFKA_BOOTSTRAP_SERVERS", address), "topics", "apply", "--timeout", "1s");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_FAILED);
        assertThat(run.err()).contains(address);
        assertThat(TopicsApplyCommand.bootstrapServers(null, Map.of())).isEqualTo("localhost:9092");
    }

    @Test
    void aBadSettingExitsWithUsageNamingTheKey() {
        CliRun run = ferry("topics", "apply", "--set", "ferry.topic.partitions=many");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry.topic.partitions").contains("many").doesNotContain("\tat ");
    }

    @Test
    void aBadSettingFromTheEnvironmentNamesTheKeyToo() {
        CliRun run = ferry(Map.of("FERRY_TOPIC_PREFIX", "bad prefix"), "topics", "apply");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry.topic.prefix");
    }

    @Test
    void aMissingConfigFileExitsWithUsageNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");

        CliRun run = ferry("topics", "apply", "--config", missing.toString());

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains(missing.toString()).contains("does not exist");
    }

    @Test
    void aBadValueInTheConfigFileNamesTheKey(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ferry.properties"), "ferry.topic.retention=forever\n");

        CliRun run = ferry("topics", "apply", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry.topic.retention").contains("forever");
    }

    @Test
    void usageErrorsExitWithUsage() {
        assertThat(ferry("topics", "apply", "--timeout", "soon").exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(ferry("topics", "apply", "--site", "no/slashes").err()).contains("no/slashes");
        assertThat(ferry("topics", "apply", "--set", "novalue").exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(ferry("topics", "apply", "--bogus").exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(ferry("dev", "--kafka-port", "70000").exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(ferry("bogus").exitCode()).isEqualTo(Ferry.EXIT_USAGE);
    }

    @Test
    void aGroupWithoutItsCommandIsAUsageError() {
        CliRun topics = ferry("topics");
        CliRun none = ferry();

        assertThat(topics.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(topics.err()).contains("Missing a command: apply").contains("Usage: ferry topics");
        assertThat(none.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(none.err()).contains("Usage: ferry");
    }
}
