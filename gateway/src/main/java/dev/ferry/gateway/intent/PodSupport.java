package dev.ferry.gateway.intent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What in a pod no Ferry site can provide, found before any intent is written, so the pod fails at
 * once with a message that names the field and says what to use instead, rather than failing at a
 * site later. Pure.
 *
 * <p>Carried: emptyDir, configMap, secret, projected (configMap, secret and downwardAPI sources),
 * downwardAPI and hostPath volumes (hostPath as {@code HOST_PATH}; each site decides whether to
 * allow it). Not carried: every other volume type (persistentVolumeClaim, ephemeral, csi, nfs,
 * image, ...), serviceAccountToken / clusterTrustBundle / podCertificate projections, hostNetwork,
 * hostPID, hostIPC, ephemeral containers, env {@code fileKeyRef}, downward-API fields the kubelet
 * does not know, and a pod without containers.
 */
public final class PodSupport {

    /** The pod status reason when {@link #unsupported(Pod)} finds something. */
    public static final String REASON = "Unsupported";

    private static final String USE_VOLUMES = "use emptyDir, configMap, secret, projected or downwardAPI";

    /** Every volume source the API knows, by its field name, in the API's order. */
    private static final Map<String, Function<Volume, Object>> VOLUME_SOURCES = new LinkedHashMap<>();

    static {
        VOLUME_SOURCES.put("emptyDir", Volume::getEmptyDir);
        VOLUME_SOURCES.put("configMap", Volume::getConfigMap);
        VOLUME_SOURCES.put("secret", Volume::getSecret);
        VOLUME_SOURCES.put("projected", Volume::getProjected);
        VOLUME_SOURCES.put("downwardAPI", Volume::getDownwardAPI);
        VOLUME_SOURCES.put("hostPath", Volume::getHostPath);
        VOLUME_SOURCES.put("persistentVolumeClaim", Volume::getPersistentVolumeClaim);
        VOLUME_SOURCES.put("ephemeral", Volume::getEphemeral);
        VOLUME_SOURCES.put("csi", Volume::getCsi);
        VOLUME_SOURCES.put("image", Volume::getImage);
        VOLUME_SOURCES.put("nfs", Volume::getNfs);
        VOLUME_SOURCES.put("iscsi", Volume::getIscsi);
        VOLUME_SOURCES.put("fc", Volume::getFc);
        VOLUME_SOURCES.put("gitRepo", Volume::getGitRepo);
        VOLUME_SOURCES.put("awsElasticBlockStore", Volume::getAwsElasticBlockStore);
        VOLUME_SOURCES.put("gcePersistentDisk", Volume::getGcePersistentDisk);
        VOLUME_SOURCES.put("azureDisk", Volume::getAzureDisk);
        VOLUME_SOURCES.put("azureFile", Volume::getAzureFile);
        VOLUME_SOURCES.put("cephfs", Volume::getCephfs);
        VOLUME_SOURCES.put("cinder", Volume::getCinder);
        VOLUME_SOURCES.put("flexVolume", Volume::getFlexVolume);
        VOLUME_SOURCES.put("flocker", Volume::getFlocker);
        VOLUME_SOURCES.put("glusterfs", Volume::getGlusterfs);
        VOLUME_SOURCES.put("photonPersistentDisk", Volume::getPhotonPersistentDisk);
        VOLUME_SOURCES.put("portworxVolume", Volume::getPortworxVolume);
        VOLUME_SOURCES.put("quobyte", Volume::getQuobyte);
        VOLUME_SOURCES.put("rbd", Volume::getRbd);
        VOLUME_SOURCES.put("scaleIO", Volume::getScaleIO);
        VOLUME_SOURCES.put("storageos", Volume::getStorageos);
        VOLUME_SOURCES.put("vsphereVolume", Volume::getVsphereVolume);
    }

    private PodSupport() {
    }

    /**
     * The first thing in {@code pod} that no site can provide, as a message for the pod's status
     * (naming the field and what to do), or empty when the pod can be carried.
     */
    public static Optional<String> unsupported(Pod pod) {
        PodSpec spec = pod.getSpec();
        if (spec == null || PodIntents.nonNull(spec.getContainers()).isEmpty()) {
            return Optional.of("spec.containers: the pod has no containers; add at least one container");
        }
        if (PodReferences.isTrue(spec.getHostNetwork())) {
            return Optional.of("spec.hostNetwork: a pod run at a site cannot share its host's network namespace; "
                    + "remove hostNetwork: true");
        }
        if (PodReferences.isTrue(spec.getHostPID())) {
            return Optional.of("spec.hostPID: a pod run at a site cannot share its host's process namespace; "
                    + "remove hostPID: true");
        }
        if (PodReferences.isTrue(spec.getHostIPC())) {
            return Optional.of("spec.hostIPC: a pod run at a site cannot share its host's IPC namespace; "
                    + "remove hostIPC: true");
        }
        List<EphemeralContainer> ephemeral = PodIntents.nonNull(spec.getEphemeralContainers());
        if (!ephemeral.isEmpty()) {
            return Optional.of("spec.ephemeralContainers[0] \"" + ephemeral.get(0).getName() + "\": ephemeral containers "
                    + "(kubectl debug) cannot be added to a pod that runs at a site; use kubectl logs, or debug a copy "
                    + "of the pod on a regular node");
        }
        List<Volume> volumes = PodIntents.nonNull(spec.getVolumes());
        for (int i = 0; i < volumes.size(); i++) {
            Optional<String> problem = volume(volumes.get(i), "spec.volumes[" + i + "] \"" + volumes.get(i).getName() + "\"");
            if (problem.isPresent()) {
                return problem;
            }
        }
        Optional<String> problem = containers(spec.getInitContainers(), "spec.initContainers");
        return problem.isPresent() ? problem : containers(spec.getContainers(), "spec.containers");
    }

    /** The API field name of the volume's source ({@code persistentVolumeClaim}, ...); {@code emptyDir} when none is set, as API defaulting does. */
    static String sourceType(Volume volume) {
        for (Map.Entry<String, Function<Volume, Object>> source : VOLUME_SOURCES.entrySet()) {
            if (source.getValue().apply(volume) != null) {
                return source.getKey();
            }
        }
        // a source newer than this client's model lands among the unknown fields
        Map<String, Object> unknown = volume.getAdditionalProperties();
        if (unknown != null && !unknown.isEmpty()) {
            return unknown.keySet().iterator().next();
        }
        return "emptyDir";
    }

    private static Optional<String> volume(Volume v, String field) {
        String type = sourceType(v);
        switch (type) {
            case "emptyDir", "configMap", "secret", "hostPath" -> {
                return Optional.empty();
            }
            case "downwardAPI" -> {
                return downwardItems(v.getDownwardAPI().getItems(), field + ": downwardAPI.items");
            }
            case "projected" -> {
                List<VolumeProjection> sources = PodIntents.nonNull(v.getProjected().getSources());
                for (int i = 0; i < sources.size(); i++) {
                    Optional<String> problem = projection(sources.get(i), field + ": projected.sources[" + i + "]");
                    if (problem.isPresent()) {
                        return problem;
                    }
                }
                return Optional.empty();
            }
            default -> {
                return Optional.of(field + ": " + type + " volumes cannot be carried to a site; " + USE_VOLUMES);
            }
        }
    }

    private static Optional<String> projection(VolumeProjection p, String field) {
        String type = p.getServiceAccountToken() != null ? "serviceAccountToken"
                : p.getClusterTrustBundle() != null ? "clusterTrustBundle"
                : p.getPodCertificate() != null ? "podCertificate"
                : p.getConfigMap() == null && p.getSecret() == null && p.getDownwardAPI() == null
                        && p.getAdditionalProperties() != null && !p.getAdditionalProperties().isEmpty()
                        ? p.getAdditionalProperties().keySet().iterator().next() : null;
        if (type != null) {
            return Optional.of(field + " is a " + type + " source, which cannot be carried to a site (it is issued by "
                    + "this cluster for this node); use configMap, secret or downwardAPI sources");
        }
        if (p.getDownwardAPI() != null) {
            return downwardItems(p.getDownwardAPI().getItems(), field + ".downwardAPI.items");
        }
        return Optional.empty();
    }

    private static Optional<String> downwardItems(List<DownwardAPIVolumeFile> items, String field) {
        List<DownwardAPIVolumeFile> list = PodIntents.nonNull(items);
        for (int i = 0; i < list.size(); i++) {
            DownwardAPIVolumeFile item = list.get(i);
            String where = field + "[" + i + "] \"" + item.getPath() + "\": ";
            if (item.getFieldRef() != null && !DownwardApi.knownFieldPath(item.getFieldRef().getFieldPath())) {
                return Optional.of(where + unknownField(item.getFieldRef().getFieldPath()));
            }
            if (item.getResourceFieldRef() != null && !DownwardApi.knownResource(item.getResourceFieldRef().getResource())) {
                return Optional.of(where + unknownResource(item.getResourceFieldRef().getResource()));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> containers(List<Container> containers, String field) {
        List<Container> list = PodIntents.nonNull(containers);
        for (int i = 0; i < list.size(); i++) {
            Container c = list.get(i);
            for (EnvVar e : PodIntents.nonNull(c.getEnv())) {
                if (e.getValueFrom() == null) {
                    continue;
                }
                String where = field + "[" + i + "] \"" + c.getName() + "\": env " + e.getName() + ": ";
                if (e.getValueFrom().getFileKeyRef() != null) {
                    return Optional.of(where + "fileKeyRef is read from a volume when the container starts, which "
                            + "the gateway cannot do for a site; use a value, configMapKeyRef or secretKeyRef");
                }
                var fieldRef = e.getValueFrom().getFieldRef();
                if (fieldRef != null && !DownwardApi.knownFieldPath(fieldRef.getFieldPath())) {
                    return Optional.of(where + unknownField(fieldRef.getFieldPath()));
                }
                var resourceRef = e.getValueFrom().getResourceFieldRef();
                if (resourceRef != null && !DownwardApi.knownResource(resourceRef.getResource())) {
                    return Optional.of(where + unknownResource(resourceRef.getResource()));
                }
            }
        }
        return Optional.empty();
    }

    private static String unknownField(String path) {
        return "fieldRef \"" + path + "\" is not a downward-API field; use one of "
                + String.join(", ", DownwardApi.FIELD_PATHS) + ", metadata.labels['<key>'] or metadata.annotations['<key>']";
    }

    private static String unknownResource(String resource) {
        return "resourceFieldRef \"" + resource + "\" is not a resource the downward API gives; use one of "
                + String.join(", ", DownwardApi.RESOURCES) + " or requests/limits.hugepages-<size>";
    }
}
