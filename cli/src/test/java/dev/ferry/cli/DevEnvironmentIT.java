package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.Ports;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevEnvironmentIT {

    private static final List<String> TOPICS = List.of("ferry.pod-intents", "ferry.pools", "ferry.pod-status",
            "ferry.decisions", "ferry.pod-logs", "ferry.dead-letters", "ferry.jobs.local");

    @Test
    void startsKafkaTheRegistryAndTheTopicsAndStopsThemAgain(@TempDir Path workDir) throws Exception {
        long kafkaPid;
        long registryPid;
        String apiServerUrl;
        try (DevEnvironment dev = DevEnvironment.start(DevOptions.defaults(workDir))) {
            kafkaPid = dev.kafkaPid();
            registryPid = dev.registryPid();

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, dev.bootstrapServers()))) {
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).containsAll(TOPICS);
            }
            assertThat(httpStatus(dev.registryUrl() + "/health/ready")).isEqualTo(200);
            assertThat(httpStatus(dev.ccompatUrl() + "/subjects")).isEqualTo(200);
            assertThat(dev.topicChanges()).hasSize(7)
                    .allSatisfy(change -> assertThat(change.kind().name()).isEqualTo("CREATED"));

            assertThat(Files.readString(dev.envFile()))
                    .contains("export KAFKA_BOOTSTRAP_SERVERS=" + dev.bootstrapServers() + "\n")
                    .contains("export FERRY_REGISTRY_URL=" + dev.registryUrl() + "\n");
            assertThat(dev.describe(workDir))
                    .startsWith("Ferry dev is up (took ")
                    .contains(dev.bootstrapServers(), "(KAFKA_BOOTSTRAP_SERVERS)", "log: kafka/kafka.log")
                    .contains(dev.registryUrl(), "(FERRY_REGISTRY_URL)", "log: registry/registry.log")
                    .contains(dev.ccompatUrl())
                    .contains(dev.apiServerUrl(), "(KUBECONFIG)", "kubeconfig: kubeconfig")
                    .contains("ferry.* (7 topics, site \"local\"): 7 created")
                    .endsWith("Stop with Ctrl-C.");
            assertThat(dev.kafkaLog()).content().contains("Kafka Server started");

            // the development Kubernetes API server answers, and the kubeconfig points at it
            assertThat(dev.kubeconfig()).isEqualTo(workDir.resolve("kubeconfig"));
            assertThat(dev.kubeconfig()).content().contains("server: " + dev.apiServerUrl(),
                    "current-context: ferry-dev");
            assertThat(Files.readString(dev.envFile())).contains("export KUBECONFIG=" + dev.kubeconfig() + "\n");
            assertThat(httpStatus(dev.apiServerUrl() + "/api/v1/namespaces/default/pods")).isEqualTo(200);
            apiServerUrl = dev.apiServerUrl();

            // one ferry dev per work directory
            assertThatThrownBy(() -> DevEnvironment.start(DevOptions.defaults(workDir)))
                    .isInstanceOf(CliException.class)
                    .hasMessageContaining("another ferry dev (pid " + ProcessHandle.current().pid() + ") is running in "
                            + workDir);
            assertThat(dev.unexpectedExit()).isNotDone();
        }

        assertThat(gone(kafkaPid)).isTrue();
        assertThat(gone(registryPid)).isTrue();
        assertThat(workDir.resolve("env")).doesNotExist();
        assertThat(workDir.resolve("kubeconfig")).doesNotExist();
        assertThatThrownBy(() -> httpStatus(apiServerUrl + "/version")).as("the API server stopped")
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aSecondRunOnTheSameWorkDirKeepsTheBrokerPortAndTheTopicsAndNoticesADeadChild(@TempDir Path workDir) {
        String firstAddress;
        try (DevEnvironment first = DevEnvironment.start(DevOptions.defaults(workDir))) {
            firstAddress = first.bootstrapServers();
        }

        try (DevEnvironment second = DevEnvironment.start(DevOptions.defaults(workDir).withSites(List.of("local", "b")))) {
            assertThat(second.bootstrapServers()).isEqualTo(firstAddress);
            assertThat(second.topicChanges()).extracting(c -> c.topic() + " " + c.kind())
                    .contains("ferry.pod-intents UNCHANGED", "ferry.jobs.local UNCHANGED", "ferry.jobs.b CREATED");

            ProcessHandle.of(second.registryPid()).ifPresent(ProcessHandle::destroyForcibly);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(second.unexpectedExit())
                    .isCompletedWithValueMatching(message -> message.startsWith("schema registry (pid "
                            + second.registryPid() + ") exited unexpectedly; its log " + second.registryLog())));
        }
    }

    @Test
    void whenOnePartFailsToStartTheOthersAreStoppedAndTheMessageNamesItsLog(@TempDir Path workDir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            DevOptions options = DevOptions.defaults(workDir).withRegistryPort(taken.getLocalPort())
                    .withKafkaPort(Ports.freePort());

            assertThatThrownBy(() -> DevEnvironment.start(options))
                    .isInstanceOf(CliException.class)
                    .hasMessageContaining("the schema registry did not start")
                    .hasMessageContaining(workDir.resolve("registry").resolve("registry.log").toString())
                    .extracting(e -> ((CliException) e).exitCode()).isEqualTo(Ferry.EXIT_FAILED);
        }

        // only this start's children: earlier tests' processes may still be winding down on a loaded machine
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                        .filter(p -> p.info().commandLine().orElse("").contains(workDir.toString())))
                        .as("child processes started for %s", workDir).isEmpty());
        assertThat(workDir.resolve("env")).doesNotExist();
        // the lock went with the failed start: a new one may take the directory
        assertThat(WorkDirLockProbe.free(workDir)).isTrue();
    }

    private static boolean gone(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isEmpty() || !handle.get().isAlive();
    }

    private static int httpStatus(String url) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        return response.statusCode();
    }

    /** Whether a new lock on the work directory can be taken right now. */
    private static final class WorkDirLockProbe {
        static boolean free(Path workDir) {
            try (WorkDirLock lock = WorkDirLock.acquire(workDir)) {
                return lock != null;
            } catch (CliException held) {
                return false;
            }
        }
    }
}
