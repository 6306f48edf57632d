package dev.ferry.devkit.apiserver.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObjectStoreTest {

    private final ObjectStore store = new ObjectStore(Clock.fixed(Instant.parse("2026-03-04T05:06:07Z"),
            ZoneOffset.UTC), 100);

    private static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text.replace('\'', '"').getBytes(java.nio.charset.StandardCharsets.UTF_8),
                false, "test");
    }

    private static ObjectNode pod(String name, String node) {
        return json("{'metadata':{'name':'" + name + "','labels':{'app':'x'}},'spec':{" + (node == null ? ""
                : "'nodeName':'" + node + "',") + "'containers':[{'name':'main','image':'busybox'}]}}");
    }

    private static List<String> drain(Watch watch) throws InterruptedException {
        List<String> events = new ArrayList<>();
        for (WatchEvent event = watch.next(50); event != null; event = watch.next(50)) {
            events.add(event.type() + " " + Json.name(event.object()));
        }
        return events;
    }

    @Test
    void createSetsIdentityDefaultsAndPendingStatus() {
        ObjectNode created = store.create(ResourceTypes.PODS, "default", pod("p", null), false);
        assertThat(created.path("kind").asText()).isEqualTo("Pod");
        assertThat(created.at("/metadata/uid").asText()).hasSize(36);
        assertThat(created.at("/metadata/creationTimestamp").asText()).isEqualTo("2026-03-04T05:06:07Z");
        assertThat(created.at("/metadata/namespace").asText()).isEqualTo("default");
        assertThat(created.at("/spec/schedulerName").asText()).isEqualTo("default-scheduler");
        assertThat(created.at("/spec/terminationGracePeriodSeconds").asLong()).isEqualTo(30);
        assertThat(created.at("/spec/containers/0/imagePullPolicy").asText()).isEqualTo("Always");
        assertThat(created.at("/status")).isEqualTo(json("{'phase':'Pending','qosClass':'BestEffort'}"));
    }

    @Test
    void generateNameAndDryRun() {
        ObjectNode template = json("{'metadata':{'generateName':'job-'},'data':{'a':'b'}}");
        ObjectNode created = store.create(ResourceTypes.CONFIGMAPS, "default", template, false);
        assertThat(Json.name(created)).matches("job-[bcdfghjklmnpqrstvwxz2456789]{5}");
        long before = store.resourceVersion();
        ObjectNode dry = store.create(ResourceTypes.CONFIGMAPS, "default", json("{'metadata':{'name':'dry'}}"),
                true);
        assertThat(Json.name(dry)).isEqualTo("dry");
        assertThat(store.resourceVersion()).isEqualTo(before);
        assertThatThrownBy(() -> store.get(ResourceTypes.CONFIGMAPS, "default", "dry"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404));
    }

    @Test
    void secretsTakeStringDataAndRefuseBadBase64() {
        ObjectNode secret = store.create(ResourceTypes.SECRETS, "default",
                json("{'metadata':{'name':'s'},'stringData':{'password':'hunter2'}}"), false);
        assertThat(secret.at("/data/password").asText()).isEqualTo("aHVudGVyMg==");
        assertThat(secret.has("stringData")).isFalse();
        assertThat(secret.path("type").asText()).isEqualTo("Opaque");
        assertThatThrownBy(() -> store.create(ResourceTypes.SECRETS, "default",
                json("{'metadata':{'name':'t'},'data':{'k':'not base64!'}}"), false))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400))
                .hasMessageContaining("data[k] is not base64");
    }

    @Test
    void eventsAreOneStoreWithTwoViews() {
        store.create(ResourceTypes.EVENTS_V1, "default", json("{'apiVersion':'events.k8s.io/v1','kind':'Event',"
                + "'metadata':{'name':'e1'},'regarding':{'kind':'Pod','name':'p','namespace':'default'},"
                + "'note':'routed to hpc-a','reason':'Routed','type':'Normal','reportingController':'ferry.dev/"
                + "gateway','eventTime':'2026-03-04T05:06:07.000000Z'}"), false);
        ObjectNode core = store.get(ResourceTypes.EVENTS, "default", "e1");
        assertThat(core.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(core.at("/involvedObject/name").asText()).isEqualTo("p");
        assertThat(core.path("message").asText()).isEqualTo("routed to hpc-a");
        assertThat(core.path("reportingComponent").asText()).isEqualTo("ferry.dev/gateway");
        assertThat(store.list(ResourceTypes.EVENTS, "default", LabelSelector.everything(),
                FieldSelector.parse("involvedObject.name=p"), 0, null).items()).hasSize(1);
        ObjectNode view = store.get(ResourceTypes.EVENTS_V1, "default", "e1");
        assertThat(view.at("/regarding/name").asText()).isEqualTo("p");
        assertThat(view.path("note").asText()).isEqualTo("routed to hpc-a");
    }

    @Test
    void listsPageWithContinueTokens() {
        for (String name : List.of("a", "b", "c", "d", "e")) {
            store.create(ResourceTypes.CONFIGMAPS, "default", json("{'metadata':{'name':'" + name + "'}}"), false);
        }
        store.create(ResourceTypes.CONFIGMAPS, "kube-system", json("{'metadata':{'name':'z'}}"), false);
        ObjectStore.Page first = store.list(ResourceTypes.CONFIGMAPS, "default", LabelSelector.everything(),
                FieldSelector.everything(), 2, null);
        assertThat(first.items()).extracting(Json::name).containsExactly("a", "b");
        assertThat(first.remaining()).isEqualTo(3);
        ObjectStore.Page second = store.list(ResourceTypes.CONFIGMAPS, "default", LabelSelector.everything(),
                FieldSelector.everything(), 2, first.continueToken());
        assertThat(second.items()).extracting(Json::name).containsExactly("c", "d");
        ObjectStore.Page last = store.list(ResourceTypes.CONFIGMAPS, "default", LabelSelector.everything(),
                FieldSelector.everything(), 2, second.continueToken());
        assertThat(last.items()).extracting(Json::name).containsExactly("e");
        assertThat(last.continueToken()).isNull();
        assertThat(store.list(ResourceTypes.CONFIGMAPS, null)).hasSize(6);
    }

    @Test
    void aWatchSeesObjectsMoveInAndOutOfItsSelection() throws Exception {
        store.create(ResourceTypes.PODS, "default", pod("p", null), false);
        Watch watch = store.watch(ResourceTypes.PODS, null, LabelSelector.parse("app=x"),
                FieldSelector.parse("spec.nodeName=node-a"), String.valueOf(store.resourceVersion()), false);
        store.bind("default", "p", json("{'target':{'name':'node-a'}}"));
        ObjectNode relabelled = store.get(ResourceTypes.PODS, "default", "p");
        Json.with(Json.metadata(relabelled), "labels").put("app", "y");
        store.update(ResourceTypes.PODS, "default", "p", relabelled, false, false);
        assertThat(drain(watch)).containsExactly("ADDED p", "DELETED p");
        watch.close();
        assertThat(store.openWatches()).isZero();
    }

    @Test
    void theLogIsBoundedAndOlderResourceVersionsAreGone() {
        ObjectStore small = new ObjectStore(Clock.systemUTC(), 3);
        long start = small.resourceVersion();
        for (int i = 0; i < 5; i++) {
            small.create(ResourceTypes.CONFIGMAPS, "default", json("{'metadata':{'name':'c" + i + "'}}"), false);
        }
        assertThatThrownBy(() -> small.watch(ResourceTypes.CONFIGMAPS, null, LabelSelector.everything(),
                FieldSelector.everything(), String.valueOf(start), false))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(410);
                    assertThat(e.reason()).isEqualTo("Expired");
                    assertThat(e.getMessage()).isEqualTo("too old resource version: " + start + " ("
                            + (start + 3) + ")");
                });
        assertThat(small.watch(ResourceTypes.CONFIGMAPS, null, LabelSelector.everything(),
                FieldSelector.everything(), String.valueOf(start + 2), false)).isNotNull();
        assertThatThrownBy(() -> small.watch(ResourceTypes.CONFIGMAPS, null, LabelSelector.everything(),
                FieldSelector.everything(), "abc", false)).hasMessageContaining("invalid resource version");
    }

    @Test
    void watchListSendsInitialEventsThenAMarkedBookmark() throws Exception {
        store.create(ResourceTypes.CONFIGMAPS, "default", json("{'metadata':{'name':'a'}}"), false);
        Watch watch = store.watch(ResourceTypes.CONFIGMAPS, "default", LabelSelector.everything(),
                FieldSelector.everything(), "5", true);
        WatchEvent added = watch.next(100);
        WatchEvent bookmark = watch.next(100);
        assertThat(added.type()).isEqualTo("ADDED");
        assertThat(bookmark.type()).isEqualTo("BOOKMARK");
        JsonNode annotations = bookmark.object().at("/metadata/annotations");
        assertThat(annotations.path("k8s.io/initial-events-end").asText()).isEqualTo("true");
        assertThat(bookmark.object().at("/metadata/resourceVersion").asText())
                .isEqualTo(String.valueOf(store.resourceVersion()));
    }

    @Test
    void eventsExpireAfterTheirTtlCountedFromTheLastWrite() throws Exception {
        Instant[] now = {Instant.parse("2026-03-04T05:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        ObjectStore events = new ObjectStore(clock, 100, java.time.Duration.ofMinutes(60));
        events.create(ResourceTypes.EVENTS, "default", json("{'metadata':{'name':'old'},'reason':'A'}"), false);
        events.create(ResourceTypes.EVENTS, "default", json("{'metadata':{'name':'renewed'},'reason':'A'}"), false);
        Watch watch = events.watch(ResourceTypes.EVENTS, null, LabelSelector.everything(), FieldSelector.everything(),
                String.valueOf(events.resourceVersion()), false);
        now[0] = now[0].plusSeconds(30 * 60);
        ObjectNode renewed = events.get(ResourceTypes.EVENTS, "default", "renewed");
        renewed.put("count", 2);
        events.update(ResourceTypes.EVENTS, "default", "renewed", renewed, false, false);

        now[0] = now[0].plusSeconds(31 * 60);
        events.create(ResourceTypes.CONFIGMAPS, "default", json("{'metadata':{'name':'any-write'}}"), false);

        assertThat(events.list(ResourceTypes.EVENTS, "default")).extracting(Json::name).containsExactly("renewed");
        assertThat(drain(watch)).containsExactly("MODIFIED renewed", "DELETED old");
    }

    @Test
    void podDeletionHonoursPreconditions() {
        ObjectNode created = store.create(ResourceTypes.PODS, "default", pod("p", "node-a"), false);
        assertThatThrownBy(() -> store.delete(ResourceTypes.PODS, "default", "p",
                new ObjectStore.DeleteOptions(0L, "other-uid", null), false))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(409))
                .hasMessageContaining("Precondition failed: UID in precondition: other-uid");
        ObjectStore.Deletion deletion = store.delete(ResourceTypes.PODS, "default", "p",
                new ObjectStore.DeleteOptions(0L, created.at("/metadata/uid").asText(), null), false);
        assertThat(deletion.gone()).isTrue();
    }

    @Test
    void createInATerminatingOrMissingNamespaceFails() {
        assertThatThrownBy(() -> store.create(ResourceTypes.PODS, "ghost", pod("p", null), false))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404))
                .hasMessage("namespaces \"ghost\" not found");
        assertThatThrownBy(() -> store.create(ResourceTypes.PODS, "default",
                json("{'metadata':{'name':'p','resourceVersion':'7'},'spec':{'containers':[{'name':'m','image':"
                        + "'i'}]}}"), false)).hasMessageContaining("resourceVersion should not be set");
    }
}
