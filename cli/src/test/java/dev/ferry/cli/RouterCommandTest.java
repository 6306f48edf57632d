package dev.ferry.cli;

import static dev.ferry.cli.CliRun.ferry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.devkit.Ports;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ferry router}'s options and its errors before anything runs. */
class RouterCommandTest {

    @Test
    void helpDocumentsTheOptionsAndSettings() {
        CliRun run = ferry("router", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--bootstrap-servers", "KAFKA_BOOTSTRAP_SERVERS", "--registry-url",
                "FERRY_REGISTRY_URL", "--config", "--set", "--application-id", "ferry-router", "--state-dir",
                "--health-port", "/healthz", "/readyz", "ferry.router.scoring", "ferry.router.commit-interval",
                "ferry.router.streams.*");
    }

    @Test
    void aBadSettingExitsWithUsageNamingTheKey() {
        CliRun run = ferry(Map.of("FERRY_REGISTRY_URL", "http://127.0.0.1:1"), "router",
                "--set", "ferry.router.scoring=random");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry.router.scoring: must be spread or bin-pack, was 'random'");
    }

    @Test
    void withoutARegistryItSaysWhereToSetOne() {
        CliRun run = ferry("router");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_USAGE);
        assertThat(run.err()).contains("ferry.registry.url: is required");
    }

    @Test
    void anUnreachableKafkaFailsWithinTheTimeoutNamingItsAddress() {
        String address = "127.0.0.1:" + Ports.freePort();
        long started = System.nanoTime();

        CliRun run = ferry("router", "--bootstrap-servers", address, "--registry-url", "http://127.0.0.1:1",
                "--timeout", "2s", "--health-port", "0");

        assertThat(run.exitCode()).isEqualTo(Ferry.EXIT_FAILED);
        assertThat(run.err()).contains(address).doesNotContain("\tat ");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }
}
