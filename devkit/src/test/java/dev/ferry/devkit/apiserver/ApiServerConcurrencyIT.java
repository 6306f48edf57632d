package dev.ferry.devkit.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** resourceVersion, optimistic concurrency, the status subresource and the patch formats, with the real fabric8 client. */
@ExtendWith(DevApiServerExtension.class)
class ApiServerConcurrencyIT {

    @Test
    void oneResourceVersionCountsEveryWriteOfEveryKind(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            ConfigMap cm = client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("cm")
                    .endMetadata().addToData("a", "1").build()).create();
            Pod pod = client.pods().resource(Fabric8.podOn("p", "node-a")).create();
            ConfigMap cm2 = client.configMaps().withName("cm").edit(c -> new ConfigMapBuilder(c).addToData("b", "2")
                    .build());

            long first = Long.parseLong(cm.getMetadata().getResourceVersion());
            long second = Long.parseLong(pod.getMetadata().getResourceVersion());
            long third = Long.parseLong(cm2.getMetadata().getResourceVersion());
            assertThat(second).isEqualTo(first + 1);
            assertThat(third).isEqualTo(second + 1);
            assertThat(client.pods().list().getMetadata().getResourceVersion()).isEqualTo(Long.toString(third));

            // a write that changes nothing is no write: same resourceVersion, nothing for watchers
            ConfigMap same = client.configMaps().resource(cm2).update();
            assertThat(same.getMetadata().getResourceVersion()).isEqualTo(cm2.getMetadata().getResourceVersion());
        }
    }

    @Test
    void staleResourceVersionIsAConflictOnMainAndStatusWrites(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            Pod created = client.pods().resource(Fabric8.podOn("p", "node-a")).create();
            Pod fresh = client.pods().resource(new PodBuilder(created).editMetadata().addToLabels("x", "1")
                    .endMetadata().build()).update();
            assertThat(fresh.getMetadata().getLabels()).containsEntry("x", "1");

            Pod staleMain = new PodBuilder(created).editMetadata().addToLabels("x", "2").endMetadata().build();
            assertThatThrownBy(() -> client.pods().resource(staleMain).update())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(409);
                        assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
                        assertThat(e.getMessage()).contains("the object has been modified");
                    });

            Pod staleStatus = new PodBuilder(created).editStatus().withPhase("Running").endStatus().build();
            assertThatThrownBy(() -> client.pods().resource(staleStatus).updateStatus())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                            .isEqualTo(409));

            Pod stored = client.pods().withName("p").get();
            assertThat(stored.getMetadata().getLabels()).containsEntry("x", "1");
            assertThat(stored.getStatus().getPhase()).isEqualTo("Pending");
            assertThat(stored.getMetadata().getResourceVersion()).isEqualTo(fresh.getMetadata().getResourceVersion());
        }
    }

    @Test
    void mainWritesKeepStatusAndStatusWritesKeepSpec(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            Pod sent = new PodBuilder(Fabric8.podOn("p", "node-a"))
                    .withStatus(new PodStatusBuilder().withPhase("Succeeded").withMessage("made up").build()).build();
            Pod created = client.pods().resource(sent).create();
            assertThat(created.getStatus().getPhase()).as("a new pod starts Pending, whatever was sent")
                    .isEqualTo("Pending");
            assertThat(created.getStatus().getMessage()).isNull();

            Pod running = client.pods().resource(new PodBuilder(created).editStatus().withPhase("Running")
                    .withPodIP("10.0.0.7").endStatus().editSpec().withActiveDeadlineSeconds(600L).endSpec().build())
                    .updateStatus();
            assertThat(running.getStatus().getPhase()).isEqualTo("Running");
            assertThat(running.getSpec().getActiveDeadlineSeconds()).as("a status write keeps the spec").isNull();

            Pod relabelled = client.pods().resource(new PodBuilder(running).editMetadata().addToLabels("app", "x")
                    .endMetadata().editStatus().withPhase("Failed").endStatus().build()).update();
            assertThat(relabelled.getMetadata().getLabels()).containsEntry("app", "x");
            assertThat(relabelled.getStatus().getPhase()).as("a main write keeps the status").isEqualTo("Running");
            assertThat(relabelled.getStatus().getPodIP()).isEqualTo("10.0.0.7");
        }
    }

    @Test
    void editStatusPatchesTheStatusSubresource(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.podOn("p", "node-a")).create();
            PodCondition ready = new PodConditionBuilder().withType("Ready").withStatus("True").build();
            Pod edited = client.pods().withName("p").editStatus(p -> new PodBuilder(p).editStatus()
                    .withPhase("Running").addToConditions(ready).endStatus().build());

            assertThat(edited.getStatus().getPhase()).isEqualTo("Running");
            assertThat(client.pods().withName("p").get().getStatus().getConditions())
                    .extracting(PodCondition::getType).contains("Ready");
        }
    }

    @Test
    void podSpecIsImmutableButForImagesAndDeadline(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            Pod created = client.pods().resource(Fabric8.podOn("p", "node-a")).create();
            Pod newImage = client.pods().withName("p").edit(p -> new PodBuilder(p).editSpec().editContainer(0)
                    .withImage("busybox:1.37").endContainer().endSpec().build());
            assertThat(newImage.getSpec().getContainers().get(0).getImage()).isEqualTo("busybox:1.37");

            assertThatThrownBy(() -> client.pods().withName("p").edit(p -> new PodBuilder(p).editSpec()
                    .withNodeName("node-b").endSpec().build()))
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(422);
                        assertThat(e.getMessage()).contains("pod updates may not change fields");
                    });
            assertThat(client.pods().withName("p").get().getSpec().getNodeName()).isEqualTo("node-a");
            assertThat(created.getMetadata().getUid()).isEqualTo(newImage.getMetadata().getUid());
        }
    }

    @Test
    void mergeAndStrategicMergePatches(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.pod("p").editSpec().withNodeName("node-a").addNewContainer()
                    .withName("sidecar").withImage("envoy:1").endContainer().endSpec().build()).create();

            Pod merged = client.pods().withName("p").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"labels\":{\"a\":\"1\"},\"annotations\":{\"n\":\"v\"}}}");
            assertThat(merged.getMetadata().getLabels()).containsEntry("a", "1");

            // strategic merge: the containers list is merged by name, not replaced
            Pod strategic = client.pods().withName("p").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
                    "{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"envoy:2\"}]}}");
            assertThat(strategic.getSpec().getContainers()).extracting(c -> c.getName() + "=" + c.getImage())
                    .containsExactly("main=busybox:1.36", "sidecar=envoy:2");

            // a merge patch of the status subresource touches only the status
            Pod status = client.pods().withName("p").subresource("status").patch(PatchContext.of(
                    PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Running\"},\"metadata\":{\"labels\":"
                    + "{\"b\":\"2\"}}}");
            assertThat(status.getStatus().getPhase()).isEqualTo("Running");
            assertThat(status.getMetadata().getLabels()).doesNotContainKey("b");
        }
    }
}
