package dev.ferry.gateway.status;

import static dev.ferry.gateway.status.StatusFixtures.T0;
import static dev.ferry.gateway.status.StatusFixtures.event;
import static dev.ferry.gateway.status.StatusFixtures.executor;
import static dev.ferry.gateway.status.StatusFixtures.forCreate;
import static dev.ferry.gateway.status.StatusFixtures.pod;
import static dev.ferry.gateway.status.StatusFixtures.running;
import static dev.ferry.gateway.status.StatusFixtures.terminated;
import static dev.ferry.gateway.status.StatusFixtures.waiting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.apiserver.DevApiServerExtension;
import dev.ferry.events.PodPhase;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.StatusSource;
import dev.ferry.gateway.status.StatusWriter.Outcome;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevApiServerExtension.class)
class StatusWriterIT {

    private DevApiServer api;
    private KubernetesClient direct;
    private StatusWriter writer;
    private ApiProxy proxy;
    private KubernetesClient proxied;

    @BeforeEach
    void start(DevApiServer api) {
        this.api = api;
        direct = client(api.url());
        writer = new StatusWriter(direct, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        direct.close();
        if (proxied != null) {
            proxied.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void appliesAnEventOnceAndSkipsDuplicatesAndOlderOnes() {
        Pod pod = create("p1");
        PodStatusEvent running = executor(pod, PodPhase.RUNNING, 5, running("main", T0));

        assertThat(writer.apply(running)).isEqualTo(Outcome.APPLIED);
        Pod applied = get("p1");
        assertThat(applied.getStatus().getPhase()).isEqualTo("Running");
        assertThat(applied.getStatus().getContainerStatuses().get(0).getContainerID())
                .isEqualTo("ferry://site-a/4242/main");
        assertThat(StatusOrder.of(applied)).contains(new StatusOrder(0, StatusSource.EXECUTOR, 5));

        assertThat(writer.apply(running)).as("duplicate").isEqualTo(Outcome.STALE);
        assertThat(writer.apply(executor(pod, PodPhase.SUCCEEDED, 4, terminated("main", 0, null, null))))
                .as("older sequence").isEqualTo(Outcome.STALE);
        assertThat(writer.apply(event(pod, PodPhase.PENDING, 0, StatusSource.ROUTER, 99).setReason("Queued")
                .build())).as("the router's events come before the executor's").isEqualTo(Outcome.STALE);
        try (KubernetesClient restarted = client(api.url())) {
            assertThat(new StatusWriter(restarted, Clock.systemUTC()).apply(running))
                    .as("a restarted gateway reads the order from the pod").isEqualTo(Outcome.STALE);
        }

        Pod after = get("p1");
        assertThat(after.getMetadata().getResourceVersion()).as("nothing written")
                .isEqualTo(applied.getMetadata().getResourceVersion());
        assertThat(after.getStatus()).isEqualTo(applied.getStatus());
    }

    @Test
    void aCachedCopySavesTheReadAndAStaleOneIsReadAgain() {
        Pod pod = create("cached");
        assertThat(writer.apply(executor(pod, PodPhase.PENDING, 1, waiting("main", "ContainerCreating")), pod))
                .as("from the copy as created").isEqualTo(Outcome.APPLIED);

        // the copy is now behind the pod (its status was written): the write gets 409, reads, and lands
        assertThat(writer.apply(executor(pod, PodPhase.RUNNING, 2, running("main", T0)), pod))
                .isEqualTo(Outcome.APPLIED);
        assertThat(get("cached").getStatus().getPhase()).isEqualTo("Running");
        // an old event is still recognised as old from the fresh read, not from the stale copy
        assertThat(writer.apply(executor(pod, PodPhase.PENDING, 1, waiting("main", "ContainerCreating")), pod))
                .isEqualTo(Outcome.STALE);
        assertThat(get("cached").getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void aNewAttemptFromTheRouterWinsOverTheLastAttemptsExecutor() {
        Pod pod = create("rerouted");
        assertThat(writer.apply(executor(pod, PodPhase.RUNNING, 7, running("main", T0)))).isEqualTo(Outcome.APPLIED);

        PodStatusEvent queued = event(pod, PodPhase.PENDING, 1, StatusSource.ROUTER, 1).setReason("Queued")
                .setMessage("re-routed: waiting for pool gpu-b").setSite(null).setBackendJobId(null).build();
        assertThat(writer.apply(queued)).isEqualTo(Outcome.APPLIED);
        assertThat(get("rerouted").getStatus()).extracting("phase", "reason").containsExactly("Pending", "Queued");

        PodStatusEvent late = executor(pod, PodPhase.SUCCEEDED, 8, terminated("main", 0, null, null));
        assertThat(writer.apply(late)).as("the previous attempt's executor is behind").isEqualTo(Outcome.STALE);
        assertThat(get("rerouted").getStatus().getPhase()).isEqualTo("Pending");

        PodStatusEvent secondRun = event(pod, PodPhase.RUNNING, 1, StatusSource.EXECUTOR, 1)
                .setContainers(List.of(running("main", T0.plusSeconds(60)))).build();
        assertThat(writer.apply(secondRun)).isEqualTo(Outcome.APPLIED);
        assertThat(StatusOrder.of(get("rerouted"))).contains(new StatusOrder(1, StatusSource.EXECUTOR, 1));
    }

    @Test
    void aMissingPodOrANewPodOfTheSameNameIsGone() {
        Pod never = pod("never").build();
        assertThat(writer.apply(executor(never, PodPhase.RUNNING, 1))).isEqualTo(Outcome.POD_GONE);

        Pod old = create("again");
        direct.pods().inNamespace("default").withName("again").withGracePeriod(0).delete();
        await().untilAsserted(() -> assertThat(get("again")).isNull());
        Pod recreated = create("again");
        assertThat(recreated.getMetadata().getUid()).isNotEqualTo(old.getMetadata().getUid());

        assertThat(writer.apply(executor(old, PodPhase.RUNNING, 1))).isEqualTo(Outcome.POD_GONE);
        assertThat(get("again").getStatus().getPhase()).isEqualTo("Pending");
        assertThat(StatusOrder.of(get("again"))).isEmpty();
    }

    @Test
    void aConcurrentChangeBetweenReadAndWriteIsReadAgainAndTheStatusStillLands() throws IOException {
        Pod pod = create("busy");
        StatusWriter viaProxy = viaProxy(Duration.ofSeconds(30));
        proxy.before(ApiProxy.statusPuts(), () -> direct.pods().inNamespace("default").withName("busy")
                .edit(p -> new PodBuilder(p).editMetadata().addToLabels("touched", "yes").endMetadata().build()), 1);

        assertThat(viaProxy.apply(executor(pod, PodPhase.RUNNING, 1, running("main", T0))))
                .isEqualTo(Outcome.APPLIED);

        assertThat(proxy.exchanges(ApiProxy.statusPuts())).extracting(ApiProxy.Exchange::status)
                .as("the first write met the label change").containsExactly(409, 200);
        Pod after = get("busy");
        assertThat(after.getMetadata().getLabels()).containsEntry("touched", "yes");
        assertThat(after.getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void tooManyConflictsInARowAreReported() throws IOException {
        Pod pod = create("hot");
        StatusWriter viaProxy = viaProxy(Duration.ofSeconds(30));
        proxy.fail(ApiProxy.statusPuts(), 409, 1000);

        assertThatThrownBy(() -> viaProxy.apply(executor(pod, PodPhase.RUNNING, 1)))
                .isInstanceOfSatisfying(StatusWriteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StatusWriteException.Reason.CONFLICTS);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains("default/hot");
                });
        assertThat(proxy.exchanges(ApiProxy.statusPuts())).hasSize(StatusWriter.MAX_CONFLICTS);
    }

    @Test
    void aTerminalStatusFinishesTheDeletionOfAPod() throws IOException {
        Pod pod = create("leaving");
        direct.pods().inNamespace("default").withName("leaving").withGracePeriod(30).delete();
        assertThat(get("leaving").getMetadata().getDeletionTimestamp()).as("graceful: still there").isNotNull();
        StatusWriter viaProxy = viaProxy(Duration.ofSeconds(30));

        assertThat(viaProxy.apply(executor(pod, PodPhase.FAILED, 3, terminated("main", 143, 15, "Cancelled"))))
                .isEqualTo(Outcome.DELETED);

        await().untilAsserted(() -> assertThat(get("leaving")).isNull());
        assertThat(proxy.exchanges(e -> e.method().equals("DELETE"))).singleElement()
                .satisfies(e -> assertThat(e.body()).contains("\"gracePeriodSeconds\":0")
                        .contains("\"preconditions\"").contains("\"resourceVersion\""));
    }

    @Test
    void aReplayedTerminalEventFinishesADeletionThatWasInterrupted() {
        Pod pod = create("half");
        direct.pods().inNamespace("default").withName("half").withGracePeriod(30).delete();
        PodStatusEvent succeeded = executor(pod, PodPhase.SUCCEEDED, 3, terminated("main", 0, null, null));
        Pod deleting = get("half");
        // as if a gateway wrote the status and stopped before it deleted the pod
        direct.pods().inNamespace("default").resource(new PodBuilder(deleting)
                .withStatus(PodStatusMapper.apply(deleting, succeeded)).build()).updateStatus();

        assertThat(writer.apply(succeeded)).isEqualTo(Outcome.DELETED);
        await().untilAsserted(() -> assertThat(get("half")).isNull());
    }

    @Test
    void aTerminalStatusLeavesAPodThatIsNotBeingDeleted() {
        Pod pod = create("done");
        assertThat(writer.apply(executor(pod, PodPhase.SUCCEEDED, 3, terminated("main", 0, null, null))))
                .isEqualTo(Outcome.APPLIED);
        assertThat(get("done").getStatus().getPhase()).isEqualTo("Succeeded");
    }

    @Test
    void failLeavesThePodFailedWithTheMessage() {
        Pod pod = create("bad");
        Instant now = Instant.parse("2026-02-03T04:05:06.789Z");
        StatusWriter gateway = new StatusWriter(direct, Clock.fixed(now, ZoneOffset.UTC));

        assertThat(gateway.fail(pod, "SecretMissing", "secret \"db-pass\" in namespace default does not exist; "
                + "create it or remove the reference")).isEqualTo(Outcome.APPLIED);

        Pod failed = get("bad");
        assertThat(failed.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(failed.getStatus().getReason()).isEqualTo("SecretMissing");
        assertThat(failed.getStatus().getMessage()).startsWith("secret \"db-pass\" in namespace default");
        assertThat(failed.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
                .isEqualTo("SecretMissing");
        assertThat(StatusOrder.of(failed)).contains(new StatusOrder(0, StatusSource.GATEWAY,
                now.toEpochMilli() * 1000));
    }

    @Test
    void setConditionChangesOneConditionAndOnlyWhenItDiffers() {
        Pod pod = create("cond");
        assertThat(writer.apply(executor(pod, PodPhase.RUNNING, 1, running("main", T0)))).isEqualTo(Outcome.APPLIED);
        Instant t1 = Instant.parse("2026-03-01T00:00:00Z");
        StatusWriter first = new StatusWriter(direct, Clock.fixed(t1, ZoneOffset.UTC));

        first.setCondition(pod, "ferry.dev/IntentPublished", false, "KafkaUnreachable", "the broker is down");
        Pod set = get("cond");
        assertThat(condition(set, "ferry.dev/IntentPublished")).extracting(PodCondition::getStatus,
                PodCondition::getReason, PodCondition::getMessage, PodCondition::getLastTransitionTime)
                .containsExactly("False", "KafkaUnreachable", "the broker is down", "2026-03-01T00:00:00Z");
        assertThat(set.getStatus().getPhase()).as("the rest of the status is kept").isEqualTo("Running");
        assertThat(StatusOrder.of(set)).contains(new StatusOrder(0, StatusSource.EXECUTOR, 1));

        first.setCondition(pod, "ferry.dev/IntentPublished", false, "KafkaUnreachable", "the broker is down");
        assertThat(get("cond").getMetadata().getResourceVersion()).as("unchanged: not written")
                .isEqualTo(set.getMetadata().getResourceVersion());

        new StatusWriter(direct, Clock.fixed(t1.plusSeconds(90), ZoneOffset.UTC))
                .setCondition(pod, "ferry.dev/IntentPublished", true, "Published", null);
        assertThat(condition(get("cond"), "ferry.dev/IntentPublished")).extracting(PodCondition::getStatus,
                PodCondition::getReason, PodCondition::getMessage, PodCondition::getLastTransitionTime)
                .containsExactly("True", "Published", null, "2026-03-01T00:01:30Z");
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() throws IOException {
        Pod pod = create("flaky");
        StatusWriter viaProxy = viaProxy(Duration.ofSeconds(30));
        proxy.fail(ApiProxy.statusPuts(), 503, 3);

        assertThat(viaProxy.apply(executor(pod, PodPhase.RUNNING, 1, running("main", T0))))
                .isEqualTo(Outcome.APPLIED);

        assertThat(proxy.exchanges(ApiProxy.statusPuts())).extracting(ApiProxy.Exchange::status)
                .containsExactly(503, 503, 503, 200);
        assertThat(get("flaky").getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void anApiServerFailingForTheWholeRetryPeriodIsReported() throws IOException {
        Pod pod = create("down");
        StatusWriter viaProxy = viaProxy(Duration.ofMillis(700));
        proxy.fail(ApiProxy.statusPuts(), 503, 1000);

        assertThatThrownBy(() -> viaProxy.apply(executor(pod, PodPhase.RUNNING, 1)))
                .isInstanceOfSatisfying(StatusWriteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StatusWriteException.Reason.API_UNAVAILABLE);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.pod().getName()).isEqualTo("down");
                });
        assertThat(proxy.exchanges(ApiProxy.statusPuts())).hasSizeBetween(3, 6); // 100+200+400 ms, then cut
        assertThat(StatusOrder.of(get("down"))).isEmpty();
    }

    @Test
    void anUnreachableApiServerIsReportedAfterTheRetryPeriod() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Pod pod = pod("nowhere").build();
        try (KubernetesClient nowhere = client("http://127.0.0.1:" + port)) {
            StatusWriter unreachable = new StatusWriter(nowhere, Clock.systemUTC(), Duration.ofMillis(300));
            assertThatThrownBy(() -> unreachable.apply(executor(pod, PodPhase.RUNNING, 1)))
                    .isInstanceOfSatisfying(StatusWriteException.class, e -> {
                        assertThat(e.reason()).isEqualTo(StatusWriteException.Reason.API_UNAVAILABLE);
                    });
        }
    }

    @Test
    void aRefusedWriteIsNotRetried() throws IOException {
        Pod pod = create("refused");
        StatusWriter viaProxy = viaProxy(Duration.ofSeconds(30));
        proxy.fail(ApiProxy.statusPuts(), 422, 1000);

        assertThatThrownBy(() -> viaProxy.apply(executor(pod, PodPhase.RUNNING, 1)))
                .isInstanceOfSatisfying(StatusWriteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StatusWriteException.Reason.REJECTED);
                    assertThat(e.retryable()).isFalse();
                });
        assertThat(proxy.exchanges(ApiProxy.statusPuts())).hasSize(1);
    }

    // ------------------------------------------------------------------ helpers

    static KubernetesClient client(String url) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("default")
                .withOnlyHttpWatches(true).withRequestRetryBackoffLimit(0).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private StatusWriter viaProxy(Duration retryFor) throws IOException {
        proxy = new ApiProxy(api.url());
        proxied = client(proxy.url());
        return new StatusWriter(proxied, Clock.systemUTC(), retryFor);
    }

    private Pod create(String name) {
        Pod created = direct.pods().inNamespace("default").resource(forCreate(pod(name))).create();
        assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
        return created;
    }

    private Pod get(String name) {
        return direct.pods().inNamespace("default").withName(name).get();
    }

    private static PodCondition condition(Pod pod, String type) {
        return pod.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no condition " + type));
    }
}
