package dev.ferry.gateway.intent;

import dev.ferry.events.Container;
import dev.ferry.events.EnvVar;
import dev.ferry.events.NodeSelectorRequirement;
import dev.ferry.events.NodeSelectorTerm;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.events.RestartPolicy;
import dev.ferry.events.Toleration;
import dev.ferry.events.Volume;
import dev.ferry.events.VolumeFile;
import dev.ferry.events.VolumeKind;
import dev.ferry.events.VolumeMount;
import dev.ferry.gateway.intent.ReferenceResolver.Resolved;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.regex.Pattern;

/** Translates one pod's spec into the Avro snapshot a site runs. Pure; one instance per pod. */
final class SpecSnapshots {

    /** Secret files get owner-only permissions unless the pod sets a mode. */
    static final int SECRET_DEFAULT_MODE = 0600;

    /** Names the kubelet accepts from envFrom; others are skipped, as the kubelet does. */
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    private final Pod pod;
    private final Resolved refs;
    private final Sealer sealer;
    private final String nodeName;

    SpecSnapshots(Pod pod, Resolved refs, Sealer sealer, String nodeName) {
        this.pod = pod;
        this.refs = refs;
        this.sealer = sealer;
        this.nodeName = nodeName;
    }

    PodSpecSnapshot snapshot() {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            throw new IllegalArgumentException("pod " + pod.getMetadata().getName() + " has no spec");
        }
        List<Container> init = new ArrayList<>();
        for (var c : PodIntents.nonNull(spec.getInitContainers())) {
            init.add(container(c, "init container \"" + c.getName() + "\""));
        }
        List<Container> containers = new ArrayList<>();
        for (var c : PodIntents.nonNull(spec.getContainers())) {
            containers.add(container(c, "container \"" + c.getName() + "\""));
        }
        List<Volume> volumes = new ArrayList<>();
        for (var v : PodIntents.nonNull(spec.getVolumes())) {
            volumes.add(volume(v));
        }
        return PodSpecSnapshot.newBuilder()
                .setContainers(containers)
                .setInitContainers(init)
                .setVolumes(volumes)
                .setRestartPolicy(restartPolicy(spec.getRestartPolicy()))
                .setActiveDeadlineSeconds(spec.getActiveDeadlineSeconds())
                .setNodeSelector(PodIntents.copy(spec.getNodeSelector()))
                .setTolerations(PodIntents.nonNull(spec.getTolerations()).stream().map(SpecSnapshots::toleration).toList())
                .setRequiredNodeAffinity(requiredAffinity(spec))
                .setPriority(spec.getPriority())
                .setPriorityClassName(spec.getPriorityClassName())
                .setServiceAccountName(DownwardApi.serviceAccount(spec))
                .setTerminationGracePeriodSeconds(spec.getTerminationGracePeriodSeconds())
                .setHostname(spec.getHostname())
                .build();
    }

    static RestartPolicy restartPolicy(String policy) {
        if (policy == null || policy.isEmpty()) {
            return RestartPolicy.ALWAYS;
        }
        return switch (policy) {
            case "Always" -> RestartPolicy.ALWAYS;
            case "OnFailure" -> RestartPolicy.ON_FAILURE;
            case "Never" -> RestartPolicy.NEVER;
            default -> throw new IllegalArgumentException("spec.restartPolicy \"" + policy
                    + "\" is not one of Always, OnFailure, Never");
        };
    }

    private static Toleration toleration(io.fabric8.kubernetes.api.model.Toleration t) {
        return Toleration.newBuilder()
                .setKey(emptyToNull(t.getKey()))
                .setOperator(t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator())
                .setValue(emptyToNull(t.getValue()))
                .setEffect(emptyToNull(t.getEffect()))
                .setTolerationSeconds(t.getTolerationSeconds())
                .build();
    }

    private static List<NodeSelectorTerm> requiredAffinity(PodSpec spec) {
        var affinity = spec.getAffinity();
        if (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return List.of();
        }
        return PodIntents.nonNull(affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                        .getNodeSelectorTerms()).stream()
                .map(term -> NodeSelectorTerm.newBuilder()
                        .setMatchExpressions(requirements(term.getMatchExpressions()))
                        .setMatchFields(requirements(term.getMatchFields()))
                        .build())
                .toList();
    }

    private static List<NodeSelectorRequirement> requirements(List<io.fabric8.kubernetes.api.model.NodeSelectorRequirement> list) {
        return PodIntents.nonNull(list).stream()
                .map(r -> NodeSelectorRequirement.newBuilder()
                        .setKey(r.getKey())
                        .setOperator(r.getOperator())
                        .setValues(new ArrayList<>(PodIntents.nonNull(r.getValues())))
                        .build())
                .toList();
    }

    private Container container(io.fabric8.kubernetes.api.model.Container c, String who) {
        var resources = c.getResources();
        return Container.newBuilder()
                .setName(c.getName())
                .setImage(c.getImage() == null ? "" : c.getImage())
                .setCommand(new ArrayList<>(PodIntents.nonNull(c.getCommand())))
                .setArgs(new ArrayList<>(PodIntents.nonNull(c.getArgs())))
                .setEnv(env(c, who))
                .setWorkingDir(emptyToNull(c.getWorkingDir()))
                .setRequests(quantities(resources == null ? null : resources.getRequests()))
                .setLimits(quantities(resources == null ? null : resources.getLimits()))
                .setVolumeMounts(PodIntents.nonNull(c.getVolumeMounts()).stream()
                        .map(m -> VolumeMount.newBuilder()
                                .setName(m.getName())
                                .setMountPath(m.getMountPath())
                                .setReadOnly(PodReferences.isTrue(m.getReadOnly()))
                                .setSubPath(emptyToNull(m.getSubPath()))
                                .build())
                        .toList())
                .setImagePullPolicy(emptyToNull(c.getImagePullPolicy()))
                .build();
    }

    private static Map<String, String> quantities(Map<String, Quantity> map) {
        Map<String, String> out = new LinkedHashMap<>();
        if (map != null) {
            map.forEach((name, q) -> out.put(name, q.toString()));
        }
        return out;
    }

    /**
     * envFrom first, then env, a later name replacing an earlier one in place (the kubelet's
     * precedence). {@code $(VAR)} references are left as written: they may point at sealed values.
     */
    private List<EnvVar> env(io.fabric8.kubernetes.api.model.Container c, String who) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        for (EnvFromSource from : PodIntents.nonNull(c.getEnvFrom())) {
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            String referrer = "envFrom of " + who;
            if (from.getConfigMapRef() != null) {
                Optional<ConfigMap> cm = configMap(from.getConfigMapRef().getName(),
                        PodReferences.isTrue(from.getConfigMapRef().getOptional()), referrer);
                cm.ifPresent(m -> Payloads.configMapEnv(m).forEach((k, v) -> {
                    if (ENV_NAME.matcher(prefix + k).matches()) {
                        env.put(prefix + k, plain(prefix + k, v));
                    }
                }));
            }
            if (from.getSecretRef() != null) {
                Optional<Secret> secret = secret(from.getSecretRef().getName(),
                        PodReferences.isTrue(from.getSecretRef().getOptional()), referrer);
                secret.ifPresent(s -> Payloads.secretData(s).forEach((k, v) -> {
                    if (ENV_NAME.matcher(prefix + k).matches()) {
                        env.put(prefix + k, sealed(prefix + k, v));
                    }
                }));
            }
        }
        for (var e : PodIntents.nonNull(c.getEnv())) {
            String name = e.getName();
            var from = e.getValueFrom();
            if (from == null) {
                env.put(name, plain(name, e.getValue() == null ? "" : e.getValue()));
                continue;
            }
            String referrer = "env " + name + " of " + who;
            if (from.getFieldRef() != null) {
                env.put(name, plain(name, DownwardApi.field(pod, from.getFieldRef().getFieldPath(), nodeName)));
            } else if (from.getResourceFieldRef() != null) {
                DownwardApi.resource(pod, c, from.getResourceFieldRef()).ifPresent(v -> env.put(name, plain(name, v)));
            } else if (from.getConfigMapKeyRef() != null) {
                var ref = from.getConfigMapKeyRef();
                boolean optional = PodReferences.isTrue(ref.getOptional());
                configMap(ref.getName(), optional, referrer)
                        .flatMap(cm -> key(Payloads.configMapEnv(cm), ref.getKey(), "configmap", ref.getName(), optional, referrer))
                        .ifPresent(v -> env.put(name, plain(name, v)));
            } else if (from.getSecretKeyRef() != null) {
                var ref = from.getSecretKeyRef();
                boolean optional = PodReferences.isTrue(ref.getOptional());
                secret(ref.getName(), optional, referrer)
                        .flatMap(s -> key(Payloads.secretData(s), ref.getKey(), "secret", ref.getName(), optional, referrer))
                        .ifPresent(v -> env.put(name, sealed(name, v)));
            } else {
                throw new IllegalArgumentException(referrer + ": valueFrom has no source the gateway can resolve "
                        + "(check PodSupport.unsupported first)");
            }
        }
        return new ArrayList<>(env.values());
    }

    private static EnvVar plain(String name, String value) {
        return EnvVar.newBuilder().setName(name).setValue(value).setSealed(null).build();
    }

    private EnvVar sealed(String name, byte[] value) {
        return EnvVar.newBuilder().setName(name).setValue(null).setSealed(sealer.seal(value)).build();
    }

    private Volume volume(io.fabric8.kubernetes.api.model.Volume v) {
        Volume.Builder out = Volume.newBuilder().setName(v.getName()).setSource(null).setFiles(new ArrayList<>())
                .setMedium(null).setSizeLimit(null);
        String referrer = "volume \"" + v.getName() + "\"";
        switch (PodSupport.sourceType(v)) {
            case "emptyDir" -> {
                out.setKind(VolumeKind.EMPTY_DIR);
                var dir = v.getEmptyDir();
                if (dir != null) {
                    out.setMedium(emptyToNull(dir.getMedium()));
                    out.setSizeLimit(dir.getSizeLimit() == null ? null : dir.getSizeLimit().toString());
                }
            }
            case "configMap" -> {
                var src = v.getConfigMap();
                out.setKind(VolumeKind.CONFIG_MAP).setSource(src.getName());
                List<VolumeFile> files = new ArrayList<>();
                configMapFiles(src.getName(), src.getItems(), PodReferences.isTrue(src.getOptional()),
                        src.getDefaultMode(), referrer, files);
                out.setFiles(files);
            }
            case "secret" -> {
                var src = v.getSecret();
                out.setKind(VolumeKind.SECRET).setSource(src.getSecretName());
                List<VolumeFile> files = new ArrayList<>();
                secretFiles(src.getSecretName(), src.getItems(), PodReferences.isTrue(src.getOptional()),
                        src.getDefaultMode(), referrer, files);
                out.setFiles(files);
            }
            case "projected" -> {
                var src = v.getProjected();
                out.setKind(VolumeKind.PROJECTED);
                List<VolumeFile> files = new ArrayList<>();
                List<VolumeProjection> sources = PodIntents.nonNull(src.getSources());
                for (int i = 0; i < sources.size(); i++) {
                    VolumeProjection p = sources.get(i);
                    String who = "projected " + referrer + " source " + i;
                    if (p.getConfigMap() != null) {
                        configMapFiles(p.getConfigMap().getName(), p.getConfigMap().getItems(),
                                PodReferences.isTrue(p.getConfigMap().getOptional()), src.getDefaultMode(), who, files);
                    }
                    if (p.getSecret() != null) {
                        secretFiles(p.getSecret().getName(), p.getSecret().getItems(),
                                PodReferences.isTrue(p.getSecret().getOptional()), src.getDefaultMode(), who, files);
                    }
                    if (p.getDownwardAPI() != null) {
                        downwardFiles(p.getDownwardAPI().getItems(), src.getDefaultMode(), files);
                    }
                }
                out.setFiles(files);
            }
            case "downwardAPI" -> {
                List<VolumeFile> files = new ArrayList<>();
                downwardFiles(v.getDownwardAPI().getItems(), v.getDownwardAPI().getDefaultMode(), files);
                out.setKind(VolumeKind.DOWNWARD_API).setFiles(files);
            }
            case "hostPath" -> out.setKind(VolumeKind.HOST_PATH).setSource(v.getHostPath().getPath());
            default -> out.setKind(VolumeKind.UNSUPPORTED);
        }
        return out.build();
    }

    private void configMapFiles(String name, List<KeyToPath> items, boolean optional, Integer defaultMode,
                                String referrer, List<VolumeFile> files) {
        Optional<ConfigMap> cm = configMap(name, optional, referrer);
        if (cm.isEmpty()) {
            return;
        }
        SortedMap<String, byte[]> data = Payloads.configMapFiles(cm.get());
        files(data, items, optional, "configmap", name, referrer).forEach((item, bytes) -> files.add(VolumeFile.newBuilder()
                .setPath(item.getPath())
                .setContent(ByteBuffer.wrap(bytes))
                .setSealed(null)
                .setMode(item.getMode() != null ? item.getMode() : defaultMode)
                .build()));
    }

    private void secretFiles(String name, List<KeyToPath> items, boolean optional, Integer defaultMode,
                             String referrer, List<VolumeFile> files) {
        Optional<Secret> secret = secret(name, optional, referrer);
        if (secret.isEmpty()) {
            return;
        }
        SortedMap<String, byte[]> data = Payloads.secretData(secret.get());
        files(data, items, optional, "secret", name, referrer).forEach((item, bytes) -> files.add(VolumeFile.newBuilder()
                .setPath(item.getPath())
                .setContent(null)
                .setSealed(sealer.seal(bytes))
                .setMode(item.getMode() != null ? item.getMode() : defaultMode != null ? defaultMode : SECRET_DEFAULT_MODE)
                .build()));
    }

    /** The files of an object: every key under its own name, or the listed items (a missing optional item skipped). */
    private static Map<KeyToPath, byte[]> files(SortedMap<String, byte[]> data, List<KeyToPath> items, boolean optional,
                                                String kind, String name, String referrer) {
        Map<KeyToPath, byte[]> out = new LinkedHashMap<>();
        if (items == null || items.isEmpty()) {
            data.forEach((key, bytes) -> out.put(new KeyToPath(key, null, key, null), bytes));
            return out;
        }
        for (KeyToPath item : items) {
            key(data, item.getKey(), kind, name, optional, referrer).ifPresent(bytes -> out.put(item, bytes));
        }
        return out;
    }

    private void downwardFiles(List<DownwardAPIVolumeFile> items, Integer defaultMode, List<VolumeFile> files) {
        for (DownwardAPIVolumeFile item : PodIntents.nonNull(items)) {
            Optional<String> value;
            if (item.getFieldRef() != null) {
                value = Optional.of(DownwardApi.field(pod, item.getFieldRef().getFieldPath(), nodeName));
            } else if (item.getResourceFieldRef() != null) {
                value = DownwardApi.resource(pod, null, item.getResourceFieldRef());
            } else {
                value = Optional.empty();
            }
            value.ifPresent(v -> files.add(VolumeFile.newBuilder()
                    .setPath(item.getPath())
                    .setContent(ByteBuffer.wrap(v.getBytes(StandardCharsets.UTF_8)))
                    .setSealed(null)
                    .setMode(item.getMode() != null ? item.getMode() : defaultMode)
                    .build()));
        }
    }

    private Optional<ConfigMap> configMap(String name, boolean optional, String referrer) {
        Optional<ConfigMap> found = refs.configMap(name);
        if (found.isEmpty() && !optional) {
            throw notResolved("configmap \"" + name + "\"", referrer);
        }
        return found;
    }

    private Optional<Secret> secret(String name, boolean optional, String referrer) {
        Optional<Secret> found = refs.secret(name);
        if (found.isEmpty() && !optional) {
            throw notResolved("secret \"" + name + "\"", referrer);
        }
        return found;
    }

    private static <V> Optional<V> key(Map<String, V> data, String key, String kind, String name, boolean optional,
                                       String referrer) {
        V value = data.get(key);
        if (value == null && !optional) {
            throw notResolved("key \"" + key + "\" of " + kind + " \"" + name + "\"", referrer);
        }
        return Optional.ofNullable(value);
    }

    private static IllegalArgumentException notResolved(String what, String referrer) {
        return new IllegalArgumentException(what + " (" + referrer + ") is not among the resolved references; "
                + "resolve the pod with ReferenceResolver first");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
