package dev.ferry.gateway.intent;

import dev.ferry.events.SealedValue;
import dev.ferry.executor.model.Unsealer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** The pods, ConfigMaps, Secrets and keys the intent tests share. */
final class TestPods {

    static final String KEY_ID = "k1";
    static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (i * 7 + 3);
        }
    }

    static final String PASSWORD = "s3cr3t-pa55w0rd";
    static final String USER = "alice-the-admin";
    static final String LOG_LEVEL = "debug-level-from-configmap";
    static final byte[] BLOB = {0, 1, 2, (byte) 0xff};

    private TestPods() {
    }

    static Sealer sealer() {
        return new Sealer(KEY_ID, KEY);
    }

    /** Opens a sealed value as an executor does. */
    static String open(SealedValue sealed) {
        Unsealer.Result result = new Unsealer(Map.of(KEY_ID, KEY)).open(sealed.getKeyId(), sealed.getAlgorithm(),
                bytes(sealed.getNonce()), bytes(sealed.getCiphertext()));
        return new String(result.plaintext().orElseThrow(() -> new AssertionError(result.error().orElse("?"))),
                StandardCharsets.UTF_8);
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    static String text(ByteBuffer buffer) {
        return new String(bytes(buffer), StandardCharsets.UTF_8);
    }

    static ConfigMap appConfig(String namespace) {
        return new ConfigMapBuilder().withNewMetadata().withName("app-config").withNamespace(namespace).endMetadata()
                .addToData("log.level", LOG_LEVEL)
                .addToData("mode", "batch")
                .addToData("threads", "4")
                .addToData("bad key", "skipped by envFrom")
                .addToBinaryData("blob.bin", Base64.getEncoder().encodeToString(BLOB))
                .build();
    }

    static Secret dbCreds(String namespace) {
        return new SecretBuilder().withNewMetadata().withName("db-creds").withNamespace(namespace).endMetadata()
                .addToData("password", b64(PASSWORD))
                .addToData("user", b64(USER))
                .addToData("1st", b64("digit first: not an env name"))
                .build();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A one-container pod bound to the virtual node, nothing else. */
    static PodBuilder minimal(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .endMetadata()
                .withNewSpec().withNodeName("ferry-node")
                .addNewContainer().withName("main").withImage("busybox:1.36").endContainer()
                .endSpec();
    }

    /** A pod with an init container, env from every source, envFrom with a prefix and every volume kind. */
    static Pod rich() {
        return new PodBuilder()
                .withNewMetadata().withName("analysis").withNamespace("science").withUid("uid-1").withGeneration(3L)
                .addToLabels("app", "analysis").addToLabels("team", "a\"b")
                .addToAnnotations("slurm-job.vk.io/flags", "--gres=gpu:1")
                .endMetadata()
                .withNewSpec()
                .withNodeName("ferry-node").withServiceAccountName("runner").withRestartPolicy("OnFailure")
                .withActiveDeadlineSeconds(600L).withPriority(1000).withPriorityClassName("high")
                .withTerminationGracePeriodSeconds(45L).withHostname("worker-0")
                .addToNodeSelector("ferry.dev/site", "hpc-a")
                .addNewToleration().withKey("virtual-node.ferry.dev/no-schedule").withOperator("Exists")
                .withEffect("NoSchedule").endToleration()
                .addNewToleration().withKey("gpu").withValue("true").withEffect("NoExecute").withTolerationSeconds(30L)
                .endToleration()
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("ferry.dev/backend").withOperator("In").withValues("slurm", "htcondor")
                .endMatchExpression()
                .addNewMatchField().withKey("metadata.name").withOperator("NotIn").withValues("old-node").endMatchField()
                .endNodeSelectorTerm()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey("gpu").withOperator("Exists").endMatchExpression()
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .addNewInitContainer().withName("setup").withImage("busybox:1.36")
                .withCommand("sh", "-c", "cp /config/* /work")
                .addNewEnv().withName("PLAIN").withValue("1").endEnv()
                .addNewVolumeMount().withName("work").withMountPath("/work").endVolumeMount()
                .endInitContainer()
                .addNewContainer().withName("main").withImage("python:3.12").withCommand("python").withArgs("run.py")
                .withWorkingDir("/work").withImagePullPolicy("IfNotPresent")
                .withNewResources()
                .addToRequests("cpu", new Quantity("500m")).addToRequests("memory", new Quantity("1Gi"))
                .addToLimits("memory", new Quantity("2Gi")).addToLimits("nvidia.com/gpu", new Quantity("1"))
                .endResources()
                .addNewEnvFrom().withPrefix("CFG_").withNewConfigMapRef().withName("app-config").endConfigMapRef()
                .endEnvFrom()
                .addNewEnvFrom().withNewSecretRef().withName("db-creds").endSecretRef().endEnvFrom()
                .addNewEnv().withName("GREETING").withValue("hello").endEnv()
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("POD_NS").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("POD_UID").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.uid")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("NODE").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("SA").withNewValueFrom().withNewFieldRef().withFieldPath("spec.serviceAccountName")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("APP").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.labels['app']")
                .endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("FLAGS").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.annotations['slurm-job.vk.io/flags']").endFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("CPU_MILLIS").withNewValueFrom().withNewResourceFieldRef().withResource("requests.cpu")
                .withDivisor(new Quantity("1m")).endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("MEM_MIB").withNewValueFrom().withNewResourceFieldRef().withResource("limits.memory")
                .withDivisor(new Quantity("1Mi")).endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("CPU_LIMIT").withNewValueFrom().withNewResourceFieldRef().withResource("limits.cpu")
                .endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("STORAGE_LIMIT").withNewValueFrom().withNewResourceFieldRef()
                .withResource("limits.ephemeral-storage").endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("LEVEL").withNewValueFrom().withNewConfigMapKeyRef().withName("app-config")
                .withKey("log.level").endConfigMapKeyRef().endValueFrom().endEnv()
                .addNewEnv().withName("DB_PASSWORD").withNewValueFrom().withNewSecretKeyRef().withName("db-creds")
                .withKey("password").endSecretKeyRef().endValueFrom().endEnv()
                .addNewEnv().withName("OPTIONAL").withNewValueFrom().withNewConfigMapKeyRef().withName("nowhere")
                .withKey("x").withOptional(true).endConfigMapKeyRef().endValueFrom().endEnv()
                .addNewEnv().withName("CFG_mode").withValue("override").endEnv()
                .addNewVolumeMount().withName("work").withMountPath("/work").endVolumeMount()
                .addNewVolumeMount().withName("config").withMountPath("/etc/app").withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("creds").withMountPath("/secrets/db.pw").withSubPath("password")
                .withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("work").withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("1Gi"))
                .endEmptyDir().endVolume()
                .addNewVolume().withName("config").withNewConfigMap().withName("app-config").withDefaultMode(0640)
                .withItems(new KeyToPath("log.level", 0444, "conf/level.txt", null), new KeyToPath("blob.bin", null, "blob.bin", null))
                .endConfigMap().endVolume()
                .addNewVolume().withName("creds").withNewSecret().withSecretName("db-creds").endSecret().endVolume()
                .addNewVolume().withName("pw").withNewSecret().withSecretName("db-creds").withDefaultMode(0440)
                .withItems(new KeyToPath("password", 0400, "pw", null), new KeyToPath("user", null, "user", null))
                .endSecret().endVolume()
                .addNewVolume().withName("all").withNewProjected().withDefaultMode(0644)
                .addNewSource().withNewConfigMap().withName("app-config")
                .withItems(new KeyToPath("threads", null, "threads", null)).endConfigMap().endSource()
                .addNewSource().withNewSecret().withName("db-creds").withItems(new KeyToPath("user", 0400, "user", null))
                .endSecret().endSource()
                .addNewSource().withNewDownwardAPI()
                .addNewItem().withPath("labels").withNewFieldRef().withFieldPath("metadata.labels").endFieldRef().endItem()
                .addNewItem().withPath("name").withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endItem()
                .endDownwardAPI().endSource()
                .endProjected().endVolume()
                .addNewVolume().withName("info").withNewDownwardAPI()
                .addNewItem().withPath("annotations").withNewFieldRef().withFieldPath("metadata.annotations").endFieldRef()
                .withMode(0444).endItem()
                .addNewItem().withPath("mem").withNewResourceFieldRef().withContainerName("main").withResource("limits.memory")
                .withDivisor(new Quantity("1Mi")).endResourceFieldRef().endItem()
                .endDownwardAPI().endVolume()
                .addNewVolume().withName("scratch").withNewHostPath().withPath("/scratch/shared").endHostPath().endVolume()
                .addNewVolume().withName("bare").endVolume()
                .addNewVolume().withName("maybe").withNewConfigMap().withName("nowhere").withOptional(true).endConfigMap()
                .endVolume()
                .endSpec()
                .withNewStatus().withPodIP("10.1.2.3").endStatus()
                .build();
    }
}
