package dev.ferry.devkit.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Graceful pod deletion, finalizers and namespace deletion, with the real fabric8 client. */
@ExtendWith(DevApiServerExtension.class)
class ApiServerDeletionIT {

    @Test
    void aScheduledPodStaysUntilAGraceZeroDelete() {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        try (DevApiServer api = DevApiServer.builder().clock(Clock.fixed(now, ZoneOffset.UTC)).build().start();
             KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.podOn("p", "node-a")).create();
            ApiServerWatchIT.Recorder recorder = new ApiServerWatchIT.Recorder();
            try (Watch ignored = client.pods().withField("spec.nodeName", "node-a").watch(recorder)) {
                // the HTTP watch is registered asynchronously: wait for its first event before changing anything
                await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.contains("ADDED p"));
                client.pods().withName("p").delete();

                Pod deleting = client.pods().withName("p").get();
                assertThat(deleting).as("a graceful delete keeps the pod").isNotNull();
                assertThat(deleting.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
                assertThat(deleting.getMetadata().getDeletionTimestamp()).isEqualTo("2026-01-02T03:04:35Z");

                // a later delete may shorten the period, never lengthen it
                client.pods().withName("p").withGracePeriod(120).delete();
                assertThat(client.pods().withName("p").get().getMetadata().getDeletionGracePeriodSeconds())
                        .isEqualTo(30L);
                client.pods().withName("p").withGracePeriod(10).delete();
                assertThat(client.pods().withName("p").get().getMetadata().getDeletionGracePeriodSeconds())
                        .isEqualTo(10L);

                // what the kubelet (here: the gateway) sends when the containers are gone
                client.pods().withName("p").withGracePeriod(0).delete();
                assertThat(client.pods().withName("p").get()).isNull();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recorder.events)
                        .containsExactly("ADDED p", "MODIFIED p", "MODIFIED p", "DELETED p"));
            }
        }
    }

    @Test
    void unscheduledAndFinishedPodsGoAtOnce(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.pod("unscheduled").build()).create();
            client.pods().withName("unscheduled").delete();
            assertThat(client.pods().withName("unscheduled").get()).isNull();

            Pod done = client.pods().resource(Fabric8.podOn("done", "node-a")).create();
            done.getStatus().setPhase("Succeeded");
            client.pods().resource(done).updateStatus();
            client.pods().withName("done").delete();
            assertThat(client.pods().withName("done").get()).isNull();
        }
    }

    @Test
    void finalizersHoldAnObjectUntilTheyAreRemoved(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("held")
                    .addToFinalizers("ferry.dev/cleanup").endMetadata().build()).create();
            client.configMaps().withName("held").delete();

            ConfigMap held = client.configMaps().withName("held").get();
            assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();

            held.getMetadata().getFinalizers().clear();
            client.configMaps().resource(held).update();
            assertThat(client.configMaps().withName("held").get()).isNull();
        }
    }

    @Test
    void deletingANamespaceDeletesWhatIsInIt(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata()
                    .build()).create();
            client.pods().inNamespace("team").resource(Fabric8.podOn("p", "node-a")).create();
            client.pods().resource(Fabric8.podOn("stays", "node-a")).create();

            client.namespaces().withName("team").delete();

            assertThat(client.namespaces().withName("team").get()).isNull();
            assertThat(client.pods().inAnyNamespace().list().getItems()).extracting(p -> p.getMetadata().getName())
                    .containsExactly("stays");
            assertThatThrownBy(() -> client.namespaces().withName("default").delete())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                            .isEqualTo(403));
            assertThat(client.namespaces().withName("default").get()).isNotNull();
        }
    }
}
