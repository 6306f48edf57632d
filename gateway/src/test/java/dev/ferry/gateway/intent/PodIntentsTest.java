package dev.ferry.gateway.intent;

import static dev.ferry.gateway.intent.TestPods.BLOB;
import static dev.ferry.gateway.intent.TestPods.LOG_LEVEL;
import static dev.ferry.gateway.intent.TestPods.PASSWORD;
import static dev.ferry.gateway.intent.TestPods.USER;
import static dev.ferry.gateway.intent.TestPods.open;
import static dev.ferry.gateway.intent.TestPods.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.events.Container;
import dev.ferry.events.EnvVar;
import dev.ferry.events.IntentOperation;
import dev.ferry.events.NodeSelectorRequirement;
import dev.ferry.events.NodeSelectorTerm;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.events.RestartPolicy;
import dev.ferry.events.Toleration;
import dev.ferry.events.Volume;
import dev.ferry.events.VolumeFile;
import dev.ferry.events.VolumeKind;
import dev.ferry.events.VolumeMount;
import dev.ferry.gateway.intent.ReferenceResolver.Resolved;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodIntentsTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:15:30.123456Z");

    private static Resolved refs() {
        return new Resolved(Map.of("app-config", TestPods.appConfig("science")),
                Map.of("db-creds", TestPods.dbCreds("science")));
    }

    private static PodIntent richIntent() {
        return PodIntents.create(TestPods.rich(), refs(), TestPods.sealer(), "ferry-node", "gw-1", NOW);
    }

    @Test
    void intentIdIsUidOperationGeneration() {
        assertThat(PodIntents.intentId("uid-1", IntentOperation.CREATE, 3)).isEqualTo("uid-1/CREATE/3");
        assertThat(PodIntents.intentId("uid-1", IntentOperation.DELETE, 0)).isEqualTo("uid-1/DELETE/0");
        assertThat(richIntent().getIntentId()).isEqualTo(richIntent().getIntentId()).isEqualTo("uid-1/CREATE/3");
    }

    @Test
    void createCarriesIdentityLabelsAndAnnotations() {
        PodIntent intent = richIntent();
        assertThat(intent.getOperation()).isEqualTo(IntentOperation.CREATE);
        assertThat(intent.getPod()).isEqualTo(new PodRef("science", "analysis", "uid-1"));
        assertThat(intent.getGeneration()).isEqualTo(3L);
        assertThat(intent.getNodeName()).isEqualTo("ferry-node");
        assertThat(intent.getGatewayId()).isEqualTo("gw-1");
        assertThat(intent.getCreatedAt()).isEqualTo(Instant.parse("2026-11-26T10:15:30.123Z"));
        assertThat(intent.getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of("app", "analysis", "team", "a\"b"));
        assertThat(intent.getAnnotations()).containsExactlyInAnyOrderEntriesOf(Map.of("slurm-job.vk.io/flags", "--gres=gpu:1"));
    }

    @Test
    void createCarriesPodLevelFields() {
        PodSpecSnapshot spec = richIntent().getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(600L);
        assertThat(spec.getNodeSelector()).containsExactlyInAnyOrderEntriesOf(Map.of("ferry.dev/site", "hpc-a"));
        assertThat(spec.getTolerations()).containsExactly(
                new Toleration("virtual-node.ferry.dev/no-schedule", "Exists", null, "NoSchedule", null),
                new Toleration("gpu", "Equal", "true", "NoExecute", 30L));
        assertThat(spec.getRequiredNodeAffinity()).containsExactly(
                new NodeSelectorTerm(List.of(new NodeSelectorRequirement("ferry.dev/backend", "In", List.of("slurm", "htcondor"))),
                        List.of(new NodeSelectorRequirement("metadata.name", "NotIn", List.of("old-node")))),
                new NodeSelectorTerm(List.of(new NodeSelectorRequirement("gpu", "Exists", List.of())), List.of()));
        assertThat(spec.getPriority()).isEqualTo(1000);
        assertThat(spec.getPriorityClassName()).isEqualTo("high");
        assertThat(spec.getServiceAccountName()).isEqualTo("runner");
        assertThat(spec.getTerminationGracePeriodSeconds()).isEqualTo(45L);
        assertThat(spec.getHostname()).isEqualTo("worker-0");
    }

    @Test
    void createCarriesContainers() {
        PodSpecSnapshot spec = richIntent().getSpec();
        assertThat(spec.getInitContainers()).hasSize(1);
        Container setup = spec.getInitContainers().get(0);
        assertThat(setup.getName()).isEqualTo("setup");
        assertThat(setup.getImage()).isEqualTo("busybox:1.36");
        assertThat(setup.getCommand()).containsExactly("sh", "-c", "cp /config/* /work");
        assertThat(setup.getArgs()).isEmpty();
        assertThat(env(setup)).containsExactly("PLAIN=1");
        assertThat(setup.getVolumeMounts()).containsExactly(new VolumeMount("work", "/work", false, null));
        assertThat(setup.getRequests()).isEmpty();
        assertThat(setup.getWorkingDir()).isNull();

        assertThat(spec.getContainers()).hasSize(1);
        Container main = spec.getContainers().get(0);
        assertThat(main.getName()).isEqualTo("main");
        assertThat(main.getImage()).isEqualTo("python:3.12");
        assertThat(main.getCommand()).containsExactly("python");
        assertThat(main.getArgs()).containsExactly("run.py");
        assertThat(main.getWorkingDir()).isEqualTo("/work");
        assertThat(main.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(main.getRequests()).containsExactlyInAnyOrderEntriesOf(Map.of("cpu", "500m", "memory", "1Gi"));
        assertThat(main.getLimits()).containsExactlyInAnyOrderEntriesOf(Map.of("memory", "2Gi", "nvidia.com/gpu", "1"));
        assertThat(main.getVolumeMounts()).containsExactly(
                new VolumeMount("work", "/work", false, null),
                new VolumeMount("config", "/etc/app", true, null),
                new VolumeMount("creds", "/secrets/db.pw", true, "password"));
    }

    @Test
    void envIsResolvedFromEverySourceInKubeletOrder() {
        Container main = richIntent().getSpec().getContainers().get(0);
        assertThat(env(main)).containsExactly(
                // envFrom app-config with prefix CFG_ ("bad key" is no env name: skipped), CFG_mode overridden by env
                "CFG_log.level=" + LOG_LEVEL,
                "CFG_mode=override",
                "CFG_threads=4",
                // envFrom db-creds, sealed ("1st" is no env name: skipped)
                "password=sealed:" + PASSWORD,
                "user=sealed:" + USER,
                "GREETING=hello",
                "POD_NAME=analysis",
                "POD_NS=science",
                "POD_UID=uid-1",
                "NODE=ferry-node",
                "SA=runner",
                "POD_IP=10.1.2.3",
                "APP=analysis",
                "FLAGS=--gres=gpu:1",
                "CPU_MILLIS=500",
                "MEM_MIB=2048",
                // no cpu limit: the request (500m) rounded up to whole cores; no storage at all: left out
                "CPU_LIMIT=1",
                "LEVEL=" + LOG_LEVEL,
                "DB_PASSWORD=sealed:" + PASSWORD);
        // the optional reference to a missing ConfigMap is skipped
        assertThat(main.getEnv()).extracting(EnvVar::getName).doesNotContain("OPTIONAL", "STORAGE_LIMIT");
        // a sealed variable never carries a plain value
        assertThat(main.getEnv()).filteredOn(e -> e.getSealed() != null).extracting(EnvVar::getValue).containsOnlyNulls();
    }

    @Test
    void volumesOfEveryKind() {
        List<Volume> volumes = richIntent().getSpec().getVolumes();
        assertThat(volumes).extracting(Volume::getName)
                .containsExactly("work", "config", "creds", "pw", "all", "info", "scratch", "bare", "maybe");
        assertThat(volumes).extracting(Volume::getKind).containsExactly(VolumeKind.EMPTY_DIR, VolumeKind.CONFIG_MAP,
                VolumeKind.SECRET, VolumeKind.SECRET, VolumeKind.PROJECTED, VolumeKind.DOWNWARD_API, VolumeKind.HOST_PATH,
                VolumeKind.EMPTY_DIR, VolumeKind.CONFIG_MAP);
        assertThat(volumes).extracting(Volume::getSource).containsExactly(null, "app-config", "db-creds", "db-creds",
                null, null, "/scratch/shared", null, "nowhere");

        Volume work = volumes.get(0);
        assertThat(work.getMedium()).isEqualTo("Memory");
        assertThat(work.getSizeLimit()).isEqualTo("1Gi");
        assertThat(work.getFiles()).isEmpty();

        // items map key → path; the item's mode wins over defaultMode; binaryData is carried as bytes
        assertThat(files(volumes.get(1))).containsExactly(
                "conf/level.txt|" + LOG_LEVEL + "|0444",
                "blob.bin|" + Arrays.toString(BLOB) + "|0640");
        // no items: every key under its own name, sealed, 0600 by default
        assertThat(files(volumes.get(2))).containsExactly(
                "1st|sealed:digit first: not an env name|0600",
                "password|sealed:" + PASSWORD + "|0600",
                "user|sealed:" + USER + "|0600");
        assertThat(files(volumes.get(3))).containsExactly("pw|sealed:" + PASSWORD + "|0400", "user|sealed:" + USER + "|0440");
        assertThat(files(volumes.get(4))).containsExactly(
                "threads|4|0644",
                "user|sealed:" + USER + "|0400",
                "labels|app=\"analysis\"\nteam=\"a\\\"b\"|0644",
                "name|analysis|0644");
        assertThat(files(volumes.get(5))).containsExactly(
                "annotations|slurm-job.vk.io/flags=\"--gres=gpu:1\"|0444",
                "mem|2048|null");
        assertThat(volumes.get(6).getFiles()).isEmpty();
        assertThat(volumes.get(7).getMedium()).isNull();
        assertThat(volumes.get(8).getFiles()).isEmpty();
    }

    @Test
    void sealedFilesCarryNoPlainContent() {
        Volume creds = richIntent().getSpec().getVolumes().get(2);
        assertThat(creds.getFiles()).allSatisfy(f -> {
            assertThat(f.getContent()).isNull();
            assertThat(f.getSealed().getKeyId()).isEqualTo(TestPods.KEY_ID);
            assertThat(f.getSealed().getAlgorithm()).isEqualTo("AES-256-GCM");
        });
    }

    @Test
    void generationZeroWhenUnsetAndDefaultsForASparsePod() {
        Pod pod = TestPods.minimal("bare").build();
        PodIntent intent = PodIntents.create(pod, Resolved.none(), TestPods.sealer(), "ferry-node", null, NOW);
        assertThat(intent.getGeneration()).isZero();
        assertThat(intent.getIntentId()).isEqualTo("uid-bare/CREATE/0");
        assertThat(intent.getGatewayId()).isNull();
        assertThat(intent.getLabels()).isEmpty();
        PodSpecSnapshot spec = intent.getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(spec.getTolerations()).isEmpty();
        assertThat(spec.getRequiredNodeAffinity()).isEmpty();
        assertThat(spec.getPriority()).isNull();
        assertThat(spec.getActiveDeadlineSeconds()).isNull();
        assertThat(spec.getContainers()).extracting(Container::getName).containsExactly("main");
    }

    @Test
    void deleteHasNoSpec() {
        PodIntent intent = PodIntents.delete(TestPods.rich(), "ferry-node", "gw-1", NOW);
        assertThat(intent.getOperation()).isEqualTo(IntentOperation.DELETE);
        assertThat(intent.getIntentId()).isEqualTo("uid-1/DELETE/3");
        assertThat(intent.getSpec()).isNull();
        assertThat(intent.getPod()).isEqualTo(PodIntents.podRef(TestPods.rich()));
        assertThat(intent.getLabels()).containsEntry("app", "analysis");
        assertThat(intent.getNodeName()).isEqualTo("ferry-node");
    }

    @Test
    void podRefIsNamespaceNameUid() {
        assertThat(PodIntents.podRef(TestPods.rich())).isEqualTo(new PodRef("science", "analysis", "uid-1"));
    }

    @Test
    void aRequiredReferenceMissingFromResolvedIsAnError() {
        Pod pod = new PodBuilder(TestPods.minimal("p").build()).editSpec().editFirstContainer()
                .addNewEnv().withName("DB_PASSWORD").withNewValueFrom().withNewSecretKeyRef().withName("db-pass")
                .withKey("password").endSecretKeyRef().endValueFrom().endEnv()
                .endContainer().endSpec().build();
        assertThatThrownBy(() -> PodIntents.create(pod, Resolved.none(), TestPods.sealer(), "n", "g", NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secret \"db-pass\"")
                .hasMessageContaining("env DB_PASSWORD of container \"main\"");
    }

    static List<String> env(Container c) {
        return c.getEnv().stream()
                .map(e -> e.getName() + "=" + (e.getSealed() != null ? "sealed:" + open(e.getSealed()) : e.getValue()))
                .toList();
    }

    static List<String> files(Volume v) {
        return v.getFiles().stream().map(PodIntentsTest::file).toList();
    }

    private static String file(VolumeFile f) {
        String content = f.getSealed() != null ? "sealed:" + open(f.getSealed())
                : f.getPath().endsWith(".bin") ? Arrays.toString(TestPods.bytes(f.getContent())) : text(f.getContent());
        return f.getPath() + "|" + content + "|" + (f.getMode() == null ? "null" : String.format("%04o", f.getMode()));
    }
}
