package dev.ferry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.apiserver.DevApiServerExtension;
import dev.ferry.devkit.junit.RegistryExtension;
import dev.ferry.devkit.kafka.KafkaBrokerProcess;
import dev.ferry.devkit.registry.SchemaRegistry;
import dev.ferry.events.ContainerState;
import dev.ferry.events.ContainerStatus;
import dev.ferry.events.DecisionOutcome;
import dev.ferry.events.IntentOperation;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.RoutingDecision;
import dev.ferry.events.StatusSource;
import dev.ferry.schema.AvroModels;
import dev.ferry.schema.ConfigValues;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway alone, between the development API server and a real Kafka broker (a child JVM, so it can be stopped
 * and started again on the same port and data): pods bound to its node become intents, status events and routing
 * decisions become pod status and Events, a delete ends with the pod gone, and while Kafka is away the node is
 * NotReady, new pods say why they wait, and their intents arrive once Kafka is back.
 */
@ExtendWith({DevApiServerExtension.class, RegistryExtension.class})
class GatewayIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NODE = "ferry-test-node";

    @TempDir
    Path kafkaDir;
    private KafkaBrokerProcess kafka;
    private Topics topics;
    private KubernetesClient client;
    private Gateway gateway;

    @BeforeEach
    void start(DevApiServer api, SchemaRegistry registry, @TempDir Path work) throws Exception {
        AvroModels.registerLogicalTypes();
        kafka = KafkaBrokerProcess.start(kafkaDir);
        topics = new Topics(TopicsConfig.defaults(), new EventSerdes(SerdeConfig.forRegistry(registry.baseUrl())));
        try (TopicAdmin admin = TopicAdmin.connect(kafka.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            admin.apply(topics.all(List.of("site-a")));
        }
        client = KubeClients.create(api.writeKubeconfig(work.resolve("kubeconfig")));
        gateway = startGateway();
        await().atMost(WAIT).until(() -> nodeReady().orElse(false));
    }

    private Gateway startGateway() {
        GatewayConfig config = GatewayConfig.from(ConfigValues.of(Map.of(
                GatewayConfig.NODES, NODE,
                GatewayConfig.KUBELET_PORT, "0",
                GatewayConfig.KUBELET_BIND, "127.0.0.1",
                GatewayConfig.LEASE_DURATION, "6s",
                GatewayConfig.RENEW_INTERVAL, "1s",
                GatewayConfig.RESOLVE_TIMEOUT, "2s")));
        return Gateway.start(config, topics, Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), client, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (client != null) {
            client.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aPodBecomesAnIntentAndStatusDecisionsAndDeletionComeBack() throws Exception {
        Pod pod = client.pods().resource(pod("work")).create();
        String uid = pod.getMetadata().getUid();

        PodIntent create = awaitIntent(uid, IntentOperation.CREATE);
        assertThat(create.getNodeName()).isEqualTo(NODE);
        assertThat(create.getSpec().getContainers()).extracting(c -> c.getName()).containsExactly("main");

        send(topics.decisions(), uid, RoutingDecision.newBuilder().setDecisionId(uid + "/1").setIntentId(
                create.getIntentId()).setPod(ref(pod)).setOutcome(DecisionOutcome.ASSIGNED).setPoolId("site-a/batch")
                .setSite("site-a").setReason("the pool with the most free cpu").setDecidedAt(Instant.now()).build());
        send(topics.podStatus(), uid, status(pod, PodPhase.RUNNING, ContainerState.RUNNING, null, 1));
        await().atMost(WAIT).until(() -> phase("work"), "Running"::equals);
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("default")
                .withField("involvedObject.name", "work").list().getItems())
                .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Routed")));

        client.pods().withName("work").delete();
        awaitIntent(uid, IntentOperation.DELETE);
        assertThat(client.pods().withName("work").get()).as("still there until the site says it stopped")
                .isNotNull();
        send(topics.podStatus(), uid, status(pod, PodPhase.FAILED, ContainerState.TERMINATED, 143, 2));
        await().atMost(WAIT).until(() -> client.pods().withName("work").get() == null);
    }

    @Test
    void aRestartedGatewayAnnouncesUnfinishedPodsAgainWithTheSameIntentId() {
        Pod pod = client.pods().resource(pod("survivor")).create();
        String uid = pod.getMetadata().getUid();
        PodIntent first = awaitIntent(uid, IntentOperation.CREATE);

        gateway.close();
        gateway = startGateway();

        List<PodIntent> creates = await().atMost(WAIT).until(() -> intents(uid, IntentOperation.CREATE),
                list -> list.size() >= 2);
        assertThat(creates).extracting(PodIntent::getIntentId).containsOnly(first.getIntentId());
    }

    @Test
    void whileKafkaIsAwayTheNodeIsNotReadyPodsSayWhyAndNothingIsLost() throws Exception {
        int port = Integer.parseInt(kafka.bootstrapServers().substring(kafka.bootstrapServers().lastIndexOf(':') + 1));
        kafka.close();
        await().atMost(WAIT).until(() -> !nodeReady().orElse(true));

        // bound already: a NotReady node gets no new pods from the scheduler ("node(s) were not ready"), so what
        // waits here is a pod bound just before the node turned NotReady, or one created with spec.nodeName
        Pod pod = client.pods().resource(new PodBuilder(pod("during-outage")).editSpec().withNodeName(NODE)
                .endSpec().build()).create();
        await().atMost(WAIT).until(() -> condition("during-outage", NodeAgent.INTENT_PUBLISHED)
                .filter(c -> "False".equals(c.getStatus()) && "KafkaUnreachable".equals(c.getReason())).isPresent());

        kafka = KafkaBrokerProcess.builder(kafkaDir).brokerPort(port).start();
        assertThat(awaitIntent(pod.getMetadata().getUid(), IntentOperation.CREATE).getPod().getName())
                .isEqualTo("during-outage");
        await().atMost(WAIT).until(() -> nodeReady().orElse(false));
        await().atMost(WAIT).until(() -> condition("during-outage", NodeAgent.INTENT_PUBLISHED)
                .filter(c -> "True".equals(c.getStatus())).isPresent());
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewToleration().withKey("virtual-node.ferry.dev/no-schedule").withOperator("Exists")
                .withEffect("NoSchedule").endToleration()
                .addNewContainer().withName("main").withImage("busybox:1.36").withCommand("sleep", "60")
                .endContainer().endSpec().build();
    }

    /** Every intent on the topic for the pod with this operation, read from the start. */
    private List<PodIntent> intents(String uid, IntentOperation operation) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Topic<String, PodIntent> topic = topics.podIntents();
        List<PodIntent> found = new ArrayList<>();
        try (KafkaConsumer<String, PodIntent> consumer = new KafkaConsumer<>(config, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            ConsumerRecords<String, PodIntent> records;
            do {
                records = consumer.poll(Duration.ofSeconds(2));
                records.forEach(r -> {
                    if (r.value().getPod().getUid().equals(uid) && r.value().getOperation() == operation) {
                        found.add(r.value());
                    }
                });
            } while (!records.isEmpty());
        }
        return found;
    }

    private PodIntent awaitIntent(String uid, IntentOperation operation) {
        return await().atMost(WAIT).until(() -> intents(uid, operation), list -> !list.isEmpty()).get(0);
    }

    private <V> void send(Topic<String, V> topic, String key, V value) throws Exception {
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        }
    }

    private static PodStatusEvent status(Pod pod, PodPhase phase, ContainerState state, Integer exitCode,
                                         long sequence) {
        return PodStatusEvent.newBuilder().setPod(ref(pod)).setPhase(phase).setSource(StatusSource.EXECUTOR)
                .setSequence(sequence).setSite("site-a").setObservedAt(Instant.now())
                .setContainers(List.of(ContainerStatus.newBuilder().setName("main").setState(state)
                        .setExitCode(exitCode).build()))
                .build();
    }

    private static PodRef ref(Pod pod) {
        return PodRef.newBuilder().setUid(pod.getMetadata().getUid()).setNamespace("default")
                .setName(pod.getMetadata().getName()).build();
    }

    private String phase(String name) {
        Pod pod = client.pods().withName(name).get();
        return pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private Optional<PodCondition> condition(String pod, String type) {
        Pod current = client.pods().withName(pod).get();
        return current == null || current.getStatus() == null ? Optional.empty()
                : current.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private Optional<Boolean> nodeReady() {
        Node node = client.nodes().withName(NODE).get();
        if (node == null || node.getStatus() == null) {
            return Optional.empty();
        }
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(c -> "True".equals(c.getStatus())).findFirst();
    }
}
