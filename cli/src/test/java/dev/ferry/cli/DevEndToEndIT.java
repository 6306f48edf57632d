package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.gateway.KubeClients;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole of Ferry as {@code ferry dev} runs it — a real Kafka broker, the Apicurio registry, the development API
 * server, the router, the gateway and one executor — driven the way a user drives it: pods created through the
 * Kubernetes API with nothing but a toleration (the scheduler binds them to the virtual node), and everything
 * checked through the API again: phase, exit codes, logs through the API server's {@code pods/log}, events.
 *
 * <p>The executor is the one {@code ferry dev} picks: Slurm when {@code sinfo} answers (as in CI), else local
 * processes. The interLink pod needs Slurm and is skipped, saying so, without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevEndToEndIT {

    private static final Duration RUN = Duration.ofSeconds(90);
    private static final Toleration FERRY = new Toleration("NoSchedule", "virtual-node.ferry.dev/no-schedule",
            "Exists", null, null);
    private static final Toleration INTERLINK = new Toleration("NoSchedule", "virtual-node.interlink/no-schedule",
            "Exists", null, null);

    private DevEnvironment dev;
    private KubernetesClient client;

    @BeforeAll
    void start(@TempDir Path workDir) {
        dev = DevEnvironment.start(DevOptions.defaults(workDir));
        client = KubeClients.create(dev.kubeconfig());
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (dev != null) {
            dev.close();
        }
    }

    @Test
    void aPodRunsAtTheSiteAndItsStatusLogsAndEventsComeBack() {
        String name = "hello-" + suffix();
        client.pods().resource(pod(name, "echo hello from ferry; sleep 1; echo done", FERRY).build()).create();

        Pod pod = awaitPhase(name, "Succeeded");
        ContainerStatus main = pod.getStatus().getContainerStatuses().get(0);
        assertThat(main.getState().getTerminated().getExitCode()).isZero();
        assertThat(pod.getSpec().getNodeName()).isEqualTo(dev.services().nodeName());
        assertThat(pod.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("PodScheduled");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        await().atMost(RUN).untilAsserted(() -> assertThat(client.pods().withName(name).getLog())
                .isEqualTo("hello from ferry\ndone\n"));
        await().atMost(RUN).untilAsserted(() -> assertThat(events(name)).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("Routed");
            assertThat(e.getMessage()).contains(dev.services().site());
        }));
    }

    @Test
    void aFailingPodReportsItsExitCode() {
        String name = "fails-" + suffix();
        client.pods().resource(pod(name, "echo about to fail >&2; exit 3", FERRY).build()).create();

        Pod pod = awaitPhase(name, "Failed");
        assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode())
                .isEqualTo(3);
    }

    @Test
    void aPodDeletedWhileRunningIsCancelledAtTheSiteAndGoes() {
        String name = "deleted-" + suffix();
        String marker = "ferry-e2e-" + UUID.randomUUID();
        client.pods().resource(pod(name, "echo " + marker + "; sleep 300 # " + marker, FERRY).build()).create();
        awaitPhase(name, "Running");
        await().atMost(RUN).until(() -> processesWith(marker) > 0);

        client.pods().withName(name).delete();

        await().atMost(RUN).until(() -> client.pods().withName(name).get() == null);
        await().atMost(RUN).until(() -> processesWith(marker) == 0);
    }

    @Test
    void aPodNoPoolCanRunFailsWithTheReason() {
        // the annotation ties the pod to HTCondor, and the dev site is Slurm or local processes: the router rejects
        // it (a pod that fits no node at all, e.g. one asking for a GPU, never gets past the scheduler, which keeps
        // it Pending with "Insufficient nvidia.com/gpu")
        String name = "condor-" + suffix();
        PodBuilder pod = pod(name, "true", FERRY);
        pod.editMetadata().addToAnnotations("htcondor-job.ferry.dev/submit", "+AccountingGroup = \"ferry\"")
                .endMetadata();
        client.pods().resource(pod.build()).create();

        Pod failed = awaitPhase(name, "Failed");
        assertThat(failed.getStatus().getMessage()).contains("HTCONDOR");
        await().atMost(RUN).untilAsserted(() -> assertThat(events(name)).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("Rejected");
            assertThat(e.getType()).isEqualTo("Warning");
        }));
    }

    @Test
    void aPodWithAVolumeNoSiteCanMountFailsAtOnceNamingTheField() {
        String name = "pvc-" + suffix();
        PodBuilder pod = pod(name, "true", FERRY);
        pod.editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data")
                .endPersistentVolumeClaim().endVolume().endSpec();
        client.pods().resource(pod.build()).create();

        Pod failed = awaitPhase(name, "Failed");
        assertThat(failed.getStatus().getMessage()).contains("persistentVolumeClaim", "data");
    }

    @Test
    void secretValuesReachThePodButNeverKafkaInClearText() throws Exception {
        String secretValue = "s3cr3t-" + UUID.randomUUID();
        String secretName = "db-pass-" + suffix();
        client.secrets().resource(new SecretBuilder().withNewMetadata().withName(secretName).endMetadata()
                .withStringData(Map.of("password", secretValue)).build()).create();
        String name = "secret-" + suffix();
        PodBuilder pod = pod(name, "echo \"password is $DB_PASSWORD\"", FERRY);
        pod.editSpec().editFirstContainer().addNewEnv().withName("DB_PASSWORD").withNewValueFrom()
                .withNewSecretKeyRef("password", secretName, false).endValueFrom().endEnv().endContainer().endSpec();
        client.pods().resource(pod.build()).create();

        awaitPhase(name, "Succeeded");
        await().atMost(RUN).untilAsserted(() -> assertThat(client.pods().withName(name).getLog())
                .isEqualTo("password is " + secretValue + "\n"));
        byte[] plaintext = secretValue.getBytes(StandardCharsets.UTF_8);
        List<byte[]> intents = rawRecords(dev.services().topicPrefix() + "pod-intents");
        assertThat(intents).as("intents on the topic").isNotEmpty();
        assertThat(intents).noneMatch(bytes -> contains(bytes, plaintext));
        assertThat(rawRecords(dev.services().topicPrefix() + "jobs." + dev.services().site()))
                .noneMatch(bytes -> contains(bytes, plaintext));
    }

    @Test
    void anInterLinkPodRunsUnchanged() {
        Assumptions.assumeTrue(dev.services().siteKind() == DevSite.Kind.SLURM,
                "interLink's slurm-job.vk.io annotations need a Slurm pool, and no local Slurm answers sinfo here "
                        + "(start one with executors/slurm/scripts/local-slurm.sh)");
        String name = "interlink-" + suffix();
        PodBuilder pod = pod(name, "echo from slurm", INTERLINK);
        pod.editMetadata().addToAnnotations("slurm-job.vk.io/flags", "--mem=64M --time=00:05:00")
                .endMetadata();
        pod.editSpec().addToNodeSelector("kubernetes.io/hostname", DevServices.INTERLINK_NODE).endSpec();
        client.pods().resource(pod.build()).create();

        Pod done = awaitPhase(name, "Succeeded");
        assertThat(done.getSpec().getNodeName()).isEqualTo(DevServices.INTERLINK_NODE);
        await().atMost(RUN).untilAsserted(() -> assertThat(client.pods().withName(name).getLog())
                .isEqualTo("from slurm\n"));
    }

    private PodBuilder pod(String name, String script, Toleration toleration) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withRestartPolicy("Never").withTolerations(toleration)
                .addNewContainer().withName("main").withImage("busybox:1.36").withCommand("sh", "-c")
                .withArgs(script).endContainer().endSpec();
    }

    private Pod awaitPhase(String name, String phase) {
        return await().atMost(RUN).pollInterval(Duration.ofMillis(100)).until(
                () -> client.pods().withName(name).get(),
                pod -> pod != null && pod.getStatus() != null && phase.equals(pod.getStatus().getPhase()));
    }

    private List<Event> events(String pod) {
        return client.v1().events().inNamespace("default").withField("involvedObject.name", pod).list().getItems();
    }

    private static long processesWith(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .count();
    }

    private List<byte[]> rawRecords(String topic) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, dev.bootstrapServers());
        List<byte[]> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return values;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
