package dev.ferry.devkit.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Watches over HTTP: field selectors, resuming from a resourceVersion, 410 when too old, informers. */
@ExtendWith(DevApiServerExtension.class)
class ApiServerWatchIT {

    /** Records every event as "TYPE name". */
    static final class Recorder implements Watcher<Pod> {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<WatcherException> closed = new CompletableFuture<>();

        @Override
        public void eventReceived(Action action, Pod pod) {
            events.add(action + " " + pod.getMetadata().getName());
        }

        @Override
        public void onClose(WatcherException cause) {
            closed.complete(cause);
        }
    }

    @Test
    void aNodeNameWatchSeesOnlyThatNodesPodsIncludingOnesBoundLater(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.podOn("a1", "node-a")).create();
            client.pods().resource(Fabric8.podOn("b1", "node-b")).create();
            Recorder recorder = new Recorder();
            try (Watch ignored = client.pods().inAnyNamespace().withField("spec.nodeName", "node-a")
                    .watch(recorder)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.contains("ADDED a1"));
                client.pods().resource(Fabric8.podOn("b2", "node-b")).create();
                client.pods().resource(Fabric8.podOn("a2", "node-a")).create();
                // a pod that is bound later moves into the selection: the watch sees it ADDED, as from a real server
                // (no scheduler here: there are no nodes, so it stays unbound until this binding)
                client.pods().resource(Fabric8.pod("late").build()).create();
                client.bindings().resource(new BindingBuilder().withNewMetadata().withName("late").endMetadata()
                        .withNewTarget().withKind("Node").withName("node-a").endTarget().build()).create();
                client.pods().withName("b1").edit(p -> new PodBuilder(p).editMetadata().addToLabels("x", "y")
                        .endMetadata().build());
                client.pods().withName("a1").edit(p -> new PodBuilder(p).editMetadata().addToLabels("x", "y")
                        .endMetadata().build());

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recorder.events)
                        .containsExactly("ADDED a1", "ADDED a2", "ADDED late", "MODIFIED a1"));
            }
        }
    }

    @Test
    void anInformerWithANodeNameFieldSelectorHoldsOnlyThatNodesPods(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.podOn("a1", "node-a")).create();
            client.pods().resource(Fabric8.podOn("b1", "node-b")).create();
            List<String> added = new CopyOnWriteArrayList<>();
            try (SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace()
                    .withField("spec.nodeName", "node-a").inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(Pod pod) {
                            added.add(pod.getMetadata().getName());
                        }

                        @Override
                        public void onUpdate(Pod oldPod, Pod newPod) {
                        }

                        @Override
                        public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                        }
                    })) {
                client.pods().resource(Fabric8.podOn("a2", "node-a")).create();
                client.pods().resource(Fabric8.podOn("b2", "node-b")).create();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(informer.getStore().list())
                        .extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("a1", "a2"));
                assertThat(added).containsExactlyInAnyOrder("a1", "a2");
            }
        }
    }

    @Test
    void aWatchResumedFromAResourceVersionGetsExactlyTheMissedEvents(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.podOn("p1", "node-a")).create();
            client.pods().resource(Fabric8.podOn("p2", "node-a")).create();
            client.pods().resource(Fabric8.podOn("p3", "node-a")).create();
            String seen = client.pods().list().getMetadata().getResourceVersion();

            // while nobody watches
            client.pods().resource(Fabric8.podOn("p4", "node-a")).create();
            client.pods().withName("p1").edit(p -> new PodBuilder(p).editMetadata().addToLabels("v", "2")
                    .endMetadata().build());
            client.pods().withName("p3").withGracePeriod(0).delete();
            client.configMaps().resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata()
                    .withName("other-kind").endMetadata().build()).create();

            Recorder recorder = new Recorder();
            try (Watch ignored = client.pods().watch(new ListOptionsBuilder().withResourceVersion(seen).build(),
                    recorder)) {
                await().atMost(Duration.ofSeconds(10)).during(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(recorder.events)
                                .containsExactly("ADDED p4", "MODIFIED p1", "DELETED p3"));
            }
        }
    }

    @Test
    void aWatchFromAResourceVersionOlderThanTheLogIsGone() {
        try (DevApiServer api = DevApiServer.builder().eventLogCapacity(5).scheduler(false).build().start();
             KubernetesClient client = Fabric8.client(api)) {
            client.pods().resource(Fabric8.podOn("p0", "node-a")).create();
            String old = client.pods().list().getMetadata().getResourceVersion();
            for (int i = 1; i <= 8; i++) {
                client.pods().resource(Fabric8.podOn("p" + i, "node-a")).create();
            }
            Recorder recorder = new Recorder();
            try (Watch ignored = client.pods().watch(new ListOptionsBuilder().withResourceVersion(old).build(),
                    recorder)) {
                WatcherException cause = recorder.closed.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                        .join();
                assertThat(cause).isNotNull();
                assertThat(cause.isHttpGone()).as("410 Gone").isTrue();
                assertThat(cause.getMessage()).contains("too old resource version");
                assertThat(recorder.events).isEmpty();
            }

            // the newest resourceVersion is still in the log
            String recent = client.pods().list().getMetadata().getResourceVersion();
            Recorder fresh = new Recorder();
            try (Watch ignored = client.pods().watch(new ListOptionsBuilder().withResourceVersion(recent).build(),
                    fresh)) {
                client.pods().resource(Fabric8.podOn("p9", "node-a")).create();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(fresh.events)
                        .containsExactly("ADDED p9"));
            }
        }
    }

    @Test
    void aWebSocketWatchFallsBackToHttp(DevApiServer api) {
        try (KubernetesClient client = Fabric8.client(api, false)) {
            Recorder recorder = new Recorder();
            try (Watch ignored = client.pods().watch(recorder)) {
                client.pods().resource(Fabric8.podOn("p", "node-a")).create();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(recorder.events)
                        .containsExactly("ADDED p"));
            }
        }
    }
}
