package dev.ferry.devkit.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.ZonedDateTime;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The other kinds the gateway uses (leases, events, nodes, secrets), and discovery, with the real fabric8 client. */
@ExtendWith(DevApiServerExtension.class)
class ApiServerKindsIT {

    @Test
    void aLeaseIsRenewedWithOptimisticConcurrency(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            Lease lease = client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder()
                    .withNewMetadata().withName("ferry-vk").endMetadata().withNewSpec().withHolderIdentity("ferry-vk")
                    .withLeaseDurationSeconds(40).withRenewTime(ZonedDateTime.parse("2026-01-01T00:00:00Z"))
                    .endSpec().build()).create();

            Lease renewed = client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder(lease)
                    .editSpec().withRenewTime(ZonedDateTime.parse("2026-01-01T00:00:10Z")).endSpec().build())
                    .update();
            assertThat(renewed.getSpec().getRenewTime().toInstant()).isEqualTo("2026-01-01T00:00:10Z");

            // a second replica that read the lease before the renewal loses the race
            assertThatThrownBy(() -> client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder(lease)
                    .editSpec().withHolderIdentity("other").endSpec().build()).update())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode())
                            .isEqualTo(409));
            assertThat(client.leases().inNamespace("kube-node-lease").withName("ferry-vk").get().getSpec()
                    .getHolderIdentity()).isEqualTo("ferry-vk");
        }
    }

    @Test
    void eventsWrittenAsEventsK8sIoAreReadAsCoreEventsOfTheirObject(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.events().v1().events().resource(new EventBuilder().withNewMetadata().withName("hello.routed")
                    .endMetadata().withRegarding(new ObjectReferenceBuilder().withKind("Pod").withName("hello")
                            .withNamespace("default").withUid("u-1").build())
                    .withReason("Routed").withNote("routed to site hpc-a, pool gpu").withType("Normal")
                    .withAction("Route").withReportingController("ferry.dev/gateway").withReportingInstance("gw-0")
                    .withEventTime(new MicroTime(ZonedDateTime.now().toOffsetDateTime().toString())).build())
                    .create();

            // what kubectl describe pod asks for
            assertThat(client.v1().events().withField("involvedObject.name", "hello")
                    .withField("involvedObject.namespace", "default").withField("involvedObject.uid", "u-1")
                    .list().getItems())
                    .singleElement().satisfies(event -> {
                        assertThat(event.getMessage()).isEqualTo("routed to site hpc-a, pool gpu");
                        assertThat(event.getReason()).isEqualTo("Routed");
                        assertThat(event.getReportingComponent()).isEqualTo("ferry.dev/gateway");
                    });
            assertThat(client.events().v1().events().withName("hello.routed").get().getNote())
                    .isEqualTo("routed to site hpc-a, pool gpu");
        }
    }

    @Test
    void nodeStatusWritesKeepTheSpecAndMainWritesKeepTheStatus(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            Node created = client.nodes().resource(Fabric8.virtualNode("ferry-vk", 10250)).create();
            assertThat(created.getStatus().getCapacity()).as("a node keeps the status it is created with")
                    .containsKey("cpu");

            Node notReady = client.nodes().withName("ferry-vk").editStatus(n -> new NodeBuilder(n).editStatus()
                    .editFirstCondition().withStatus("False").withReason("KafkaUnreachable").endCondition()
                    .endStatus().editSpec().withUnschedulable(true).endSpec().build());
            assertThat(notReady.getStatus().getConditions().get(0).getStatus()).isEqualTo("False");
            assertThat(notReady.getSpec().getUnschedulable()).isNull();

            Node relabelled = client.nodes().withName("ferry-vk").edit(n -> new NodeBuilder(n).editMetadata()
                    .addToLabels("zone", "a").endMetadata().editStatus().editFirstCondition().withStatus("True")
                    .endCondition().endStatus().build());
            assertThat(relabelled.getMetadata().getLabels()).containsEntry("zone", "a");
            assertThat(relabelled.getStatus().getConditions().get(0).getStatus()).isEqualTo("False");
        }
    }

    @Test
    void secretsAndConfigMaps(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            Secret secret = client.secrets().resource(new SecretBuilder().withNewMetadata().withName("creds")
                    .endMetadata().addToStringData("token", "s3cret").build()).create();
            assertThat(new String(Base64.getDecoder().decode(secret.getData().get("token")))).isEqualTo("s3cret");
            assertThat(client.secrets().withName("creds").get().getStringData()).isNullOrEmpty();
        }
    }

    @Test
    void discoveryAsClientsReadIt(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            assertThat(client.getKubernetesVersion().getMajor()).isEqualTo("1");
            assertThat(client.getApiGroups().getGroups()).extracting(APIGroup::getName)
                    .containsExactly("coordination.k8s.io", "events.k8s.io");
            assertThat(client.getApiResources("v1").getResources()).anySatisfy(r -> {
                assertThat(r.getName()).isEqualTo("pods");
                assertThat(r.getShortNames()).containsExactly("po");
                assertThat(r.getVerbs()).contains("watch", "patch");
            });
            assertThat(client.supports(Lease.class)).isTrue();
        }
    }
}
