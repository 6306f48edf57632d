package dev.ferry.gateway.intent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodSupportTest {

    private static Pod withVolume(Volume volume) {
        return new PodBuilder(TestPods.minimal("p").build()).editSpec()
                .addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume()
                .addToVolumes(volume).endSpec().build();
    }

    @Test
    void theRichPodIsSupported() {
        assertThat(PodSupport.unsupported(TestPods.rich())).isEmpty();
        assertThat(PodSupport.unsupported(TestPods.minimal("p").build())).isEmpty();
    }

    @Test
    void persistentVolumeClaims() {
        Pod pod = withVolume(new VolumeBuilder().withName("data").withNewPersistentVolumeClaim().withClaimName("pvc-1")
                .endPersistentVolumeClaim().build());
        assertThat(PodSupport.unsupported(pod)).hasValue("spec.volumes[1] \"data\": persistentVolumeClaim volumes cannot "
                + "be carried to a site; use emptyDir, configMap, secret, projected or downwardAPI");
    }

    @Test
    void otherVolumeTypes() {
        assertThat(PodSupport.unsupported(withVolume(new VolumeBuilder().withName("e").withNewEphemeral()
                .endEphemeral().build())))
                .hasValueSatisfying(m -> assertThat(m).startsWith("spec.volumes[1] \"e\": ephemeral volumes cannot be carried"));
        assertThat(PodSupport.unsupported(withVolume(new VolumeBuilder().withName("c").withNewCsi().withDriver("d")
                .endCsi().build())))
                .hasValueSatisfying(m -> assertThat(m).startsWith("spec.volumes[1] \"c\": csi volumes cannot be carried"));
        assertThat(PodSupport.unsupported(withVolume(new VolumeBuilder().withName("n").withNewNfs().withServer("s")
                .withPath("/x").endNfs().build())))
                .hasValueSatisfying(m -> assertThat(m).startsWith("spec.volumes[1] \"n\": nfs volumes"));
        assertThat(PodSupport.unsupported(withVolume(new VolumeBuilder().withName("i").withNewImage().withReference("r")
                .endImage().build())))
                .hasValueSatisfying(m -> assertThat(m).contains("image volumes cannot be carried to a site"));
        assertThat(PodSupport.unsupported(withVolume(new VolumeBuilder().withName("g").withNewGitRepo()
                .withRepository("https://x").endGitRepo().build())))
                .hasValueSatisfying(m -> assertThat(m).contains("gitRepo volumes"));
    }

    @Test
    void hostPathAndSourcelessVolumesAreCarried() {
        assertThat(PodSupport.unsupported(withVolume(new VolumeBuilder().withName("h").withNewHostPath().withPath("/x")
                .endHostPath().build()))).isEmpty();
        assertThat(PodSupport.unsupported(withVolume(new VolumeBuilder().withName("b").build()))).isEmpty();
    }

    @Test
    void projectedServiceAccountTokensAndTrustBundles() {
        Pod token = withVolume(new VolumeBuilder().withName("token").withNewProjected()
                .addNewSource().withNewConfigMap().withName("cm").endConfigMap().endSource()
                .addNewSource().withNewServiceAccountToken().withPath("token").endServiceAccountToken().endSource()
                .endProjected().build());
        assertThat(PodSupport.unsupported(token)).hasValue("spec.volumes[1] \"token\": projected.sources[1] is a "
                + "serviceAccountToken source, which cannot be carried to a site (it is issued by this cluster for this "
                + "node); use configMap, secret or downwardAPI sources");
        Pod bundle = withVolume(new VolumeBuilder().withName("ca").withNewProjected()
                .addNewSource().withNewClusterTrustBundle().withName("b").withPath("ca.pem").endClusterTrustBundle().endSource()
                .endProjected().build());
        assertThat(PodSupport.unsupported(bundle)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("spec.volumes[1] \"ca\": projected.sources[0] is a clusterTrustBundle source"));
    }

    @Test
    void hostNamespaces() {
        Pod base = TestPods.minimal("p").build();
        assertThat(PodSupport.unsupported(new PodBuilder(base).editSpec().withHostNetwork(true).endSpec().build()))
                .hasValue("spec.hostNetwork: a pod run at a site cannot share its host's network namespace; "
                        + "remove hostNetwork: true");
        assertThat(PodSupport.unsupported(new PodBuilder(base).editSpec().withHostPID(true).endSpec().build()))
                .hasValue("spec.hostPID: a pod run at a site cannot share its host's process namespace; remove hostPID: true");
        assertThat(PodSupport.unsupported(new PodBuilder(base).editSpec().withHostIPC(true).endSpec().build()))
                .hasValue("spec.hostIPC: a pod run at a site cannot share its host's IPC namespace; remove hostIPC: true");
        assertThat(PodSupport.unsupported(new PodBuilder(base).editSpec().withHostNetwork(false).endSpec().build())).isEmpty();
    }

    @Test
    void ephemeralContainers() {
        Pod pod = new PodBuilder(TestPods.minimal("p").build()).editSpec().addNewEphemeralContainer().withName("debugger")
                .withImage("busybox").endEphemeralContainer().endSpec().build();
        assertThat(PodSupport.unsupported(pod)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("spec.ephemeralContainers[0] \"debugger\": ephemeral containers (kubectl debug) cannot be added"));
    }

    @Test
    void noContainers() {
        Pod pod = new PodBuilder(TestPods.minimal("p").build()).editSpec().withContainers().endSpec().build();
        assertThat(PodSupport.unsupported(pod)).hasValue("spec.containers: the pod has no containers; add at least one container");
    }

    @Test
    void unknownDownwardApiFieldsAndFileKeyRefs() {
        Pod field = new PodBuilder(TestPods.minimal("p").build()).editSpec().editFirstContainer()
                .addNewEnv().withName("X").withNewValueFrom().withNewFieldRef().withFieldPath("spec.schedulerName")
                .endFieldRef().endValueFrom().endEnv().endContainer().endSpec().build();
        assertThat(PodSupport.unsupported(field)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("spec.containers[0] \"main\": env X: fieldRef \"spec.schedulerName\" is not a downward-API field"));
        Pod file = new PodBuilder(TestPods.minimal("p").build()).editSpec().editFirstContainer()
                .addNewEnv().withName("Y").withNewValueFrom().withNewFileKeyRef().withVolumeName("v").withPath("env")
                .withKey("k").endFileKeyRef().endValueFrom().endEnv().endContainer().endSpec().build();
        assertThat(PodSupport.unsupported(file)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("spec.containers[0] \"main\": env Y: fileKeyRef"));
        Pod resource = withVolume(new VolumeBuilder().withName("d").withNewDownwardAPI().addNewItem().withPath("x")
                .withNewResourceFieldRef().withContainerName("main").withResource("limits.pods").endResourceFieldRef()
                .endItem().endDownwardAPI().build());
        assertThat(PodSupport.unsupported(resource)).hasValueSatisfying(m -> assertThat(m)
                .startsWith("spec.volumes[1] \"d\": downwardAPI.items[0] \"x\": resourceFieldRef \"limits.pods\""));
    }

    @Test
    void reasonIsAStatusReason() {
        assertThat(PodSupport.REASON).matches("[A-Z][A-Za-z]+");
        assertThat(PodSupport.unsupported(TestPods.rich())).isEqualTo(Optional.empty());
    }
}
