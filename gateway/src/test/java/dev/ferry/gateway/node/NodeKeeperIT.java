package dev.ferry.gateway.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.apiserver.DevApiServerExtension;
import dev.ferry.events.PoolState;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The node keeper against the development API server: registration, lease renewal, status refreshes. */
@ExtendWith(DevApiServerExtension.class)
class NodeKeeperIT {


    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Short timings, so renewals are seen in a second; status heartbeats rare, so a write proves a change. */
    private static final NodeSettings SETTINGS = NodeSettings.defaults("ferry-vk").withAddress("127.0.0.1", 10255)
            .withTimings(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofHours(1));

    private final PoolCapacity pools = new PoolCapacity();

    static KubernetesClient client(DevApiServer api) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(api.url()).withNamespace("default")
                .withOnlyHttpWatches(true).withRequestRetryBackoffLimit(0).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Test
    void registersTheNodeWithLabelsTaintAndCapacityAndRenewsItsLease(DevApiServer api) {
        pools.update(Pools.ready("pool-a", Instant.now()).ttlSeconds(600).with("cpu", "500m").with("memory", "1Gi")
                .with("nvidia.com/gpu", "1").advert());
        pools.update(Pools.ready("pool-b", Instant.now()).ttlSeconds(600).with("cpu", "2").with("memory", "512Mi")
                .advert());
        try (KubernetesClient client = client(api);
             NodeKeeper keeper = new NodeKeeper(client, SETTINGS, pools, Clock.systemUTC())) {
            keeper.start();

            Node node = client.nodes().withName("ferry-vk").get();
            assertThat(node).as("registered by start()").isNotNull();
            assertThat(node.getMetadata().getLabels()).containsEntry("type", "virtual-kubelet")
                    .containsEntry("kubernetes.io/role", "agent").containsEntry("ferry.dev/virtual-node", "true")
                    .containsEntry("kubernetes.io/hostname", "ferry-vk");
            assertThat(node.getSpec().getTaints()).extracting(Taint::getKey, Taint::getEffect)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("virtual-node.ferry.dev/no-schedule",
                            "NoSchedule"));
            assertThat(amounts(node)).isEqualTo(Map.of("cpu", "2500m", "memory", "1536Mi", "nvidia.com/gpu", "1",
                    "pods", "1000"));
            assertThat(ready(node).getStatus()).isEqualTo("True");
            assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10255);

            Lease lease = lease(client);
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("ferry-vk");
            assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
            assertThat(lease.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
                assertThat(owner.getKind()).isEqualTo("Node");
                assertThat(owner.getUid()).isEqualTo(node.getMetadata().getUid());
            });
            ZonedDateTime first = lease.getSpec().getRenewTime();
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(lease(client).getSpec().getRenewTime()).isAfter(first.plusNanos(300_000_000)));
        }
    }

    @Test
    void statusIsWrittenWhenPoolsChangeAndWhenKafkaIsLost(DevApiServer api) {
        pools.update(Pools.ready("pool-a", Instant.now()).ttlSeconds(600).with("cpu", "4").advert());
        try (KubernetesClient client = client(api);
             NodeKeeper keeper = new NodeKeeper(client, SETTINGS, pools, Clock.systemUTC())) {
            keeper.start();
            assertThat(amounts(client.nodes().withName("ferry-vk").get())).containsEntry("cpu", "4");

            pools.update(Pools.ready("pool-b", Instant.now()).ttlSeconds(600).with("cpu", "1500m").advert());
            keeper.poolsChanged();
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(amounts(client.nodes().withName("ferry-vk").get())).containsEntry("cpu", "5500m"));

            pools.update(Pools.inState("pool-a", PoolState.DOWN, Instant.now()).with("cpu", "4").advert());
            keeper.poolsChanged();
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(amounts(client.nodes().withName("ferry-vk").get())).containsEntry("cpu", "1500m"));

            keeper.kafkaReachable(false);
            await().atMost(WAIT).untilAsserted(() -> {
                NodeCondition ready = ready(client.nodes().withName("ferry-vk").get());
                assertThat(ready.getStatus()).isEqualTo("False");
                assertThat(ready.getReason()).isEqualTo("KafkaUnreachable");
                assertThat(ready.getMessage()).contains("cannot reach Kafka");
            });

            keeper.kafkaReachable(true);
            await().atMost(WAIT).untilAsserted(() -> {
                NodeCondition ready = ready(client.nodes().withName("ferry-vk").get());
                assertThat(ready.getStatus()).isEqualTo("True");
                assertThat(ready.getReason()).isEqualTo("FerryReady");
            });
        }
    }

    @Test
    void aPoolWhoseAdvertExpiresLeavesTheCapacityWithoutAnyCall(DevApiServer api) {
        pools.update(Pools.ready("short-lived", Instant.now()).ttlSeconds(2).with("cpu", "8").advert());
        try (KubernetesClient client = client(api);
             NodeKeeper keeper = new NodeKeeper(client, SETTINGS, pools, Clock.systemUTC())) {
            keeper.start();
            assertThat(amounts(client.nodes().withName("ferry-vk").get())).containsEntry("cpu", "8");

            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(amounts(client.nodes().withName("ferry-vk").get())).doesNotContainKey("cpu"));
        }
    }

    @Test
    void theStatusHeartbeatIsWrittenAtLeastEveryStatusInterval(DevApiServer api) {
        NodeSettings often = SETTINGS.withTimings(Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1));
        try (KubernetesClient client = client(api);
             NodeKeeper keeper = new NodeKeeper(client, often, pools, Clock.systemUTC())) {
            keeper.start();
            String first = ready(client.nodes().withName("ferry-vk").get()).getLastHeartbeatTime();

            await().atMost(WAIT).untilAsserted(() -> {
                NodeCondition ready = ready(client.nodes().withName("ferry-vk").get());
                assertThat(ready.getLastHeartbeatTime()).isNotEqualTo(first);
                assertThat(ready.getLastTransitionTime()).as("nothing flipped").isEqualTo(first);
            });
        }
    }

    @Test
    void takesOverAnExistingNodeKeepingWhatOthersPutThereAndSurvivesAConcurrentWrite(DevApiServer api) {
        try (KubernetesClient client = client(api)) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName("ferry-vk")
                    .withLabels(Map.of("team", "hpc", "type", "something-else")).endMetadata()
                    .withNewSpec().withTaints(
                            new TaintBuilder().withKey("example.com/maintenance").withEffect("NoExecute").build(),
                            new TaintBuilder().withKey("virtual-node.interlink/no-schedule").withEffect("NoSchedule")
                                    .build()).endSpec()
                    .withNewStatus().addNewCondition().withType("Ready").withStatus("Unknown").endCondition()
                    .endStatus().build()).create();
            pools.update(Pools.ready("pool-a", Instant.now()).ttlSeconds(600).with("cpu", "2").advert());

            try (NodeKeeper keeper = new NodeKeeper(client, SETTINGS, pools, Clock.systemUTC())) {
                keeper.start();

                Node node = client.nodes().withName("ferry-vk").get();
                assertThat(node.getMetadata().getLabels()).containsEntry("team", "hpc")
                        .containsEntry("type", "virtual-kubelet").containsEntry("ferry.dev/virtual-node", "true");
                assertThat(node.getSpec().getTaints()).extracting(Taint::getKey).containsExactly(
                        "example.com/maintenance", "virtual-node.ferry.dev/no-schedule");
                assertThat(ready(node).getStatus()).isEqualTo("True");
                assertThat(amounts(node)).containsEntry("cpu", "2");

                // someone else writes the node: the keeper's next status write carries a stale resourceVersion
                client.nodes().withName("ferry-vk").edit(n -> new NodeBuilder(n).editMetadata()
                        .addToLabels("owner", "ops").endMetadata().build());
                pools.update(Pools.ready("pool-b", Instant.now()).ttlSeconds(600).with("cpu", "3").advert());
                keeper.poolsChanged();

                await().atMost(WAIT).untilAsserted(() -> {
                    Node now = client.nodes().withName("ferry-vk").get();
                    assertThat(amounts(now)).containsEntry("cpu", "5");
                    assertThat(now.getMetadata().getLabels()).containsEntry("owner", "ops");
                });
            }
            assertThat(client.nodes().withName("ferry-vk").get()).as("close() leaves the node").isNotNull();
        }
    }

    @Test
    void startsWhileTheApiIsDownAndRegistersOnceItAnswers() {
        // a client for a server that is not listening yet: the first attempts fail and are retried
        int port = freePort();
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port)
                .withNamespace("default").withOnlyHttpWatches(true).withRequestRetryBackoffLimit(0)
                .withConnectionTimeout(500).withRequestTimeout(1000).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
             NodeKeeper keeper = new NodeKeeper(client, SETTINGS, pools, Clock.systemUTC())) {
            keeper.start();
            try (DevApiServer late = DevApiServer.builder().port(port).build().start();
                 KubernetesClient reader = client(late)) {
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(reader.nodes().withName("ferry-vk").get()).isNotNull();
                    assertThat(reader.leases().inNamespace("kube-node-lease").withName("ferry-vk").get()).isNotNull();
                });
            }
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Lease lease(KubernetesClient client) {
        return client.leases().inNamespace("kube-node-lease").withName("ferry-vk").get();
    }

    private static NodeCondition ready(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElseThrow();
    }

    private static Map<String, String> amounts(Node node) {
        Map<String, String> amounts = new TreeMap<>();
        node.getStatus().getCapacity().forEach((k, v) -> amounts.put(k, v.toString()));
        return amounts;
    }
}
