package dev.ferry.gateway.intent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.List;

/** Every ConfigMap and Secret a pod refers to, with who refers to it, in pod order. Pure. */
final class PodReferences {

    enum Kind {
        CONFIG_MAP("configmap"), SECRET("secret");

        final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    /** How a key is looked up: env takes only a ConfigMap's {@code data}, a volume also its {@code binaryData}. */
    enum Use { ENV, VOLUME }

    /**
     * One reference.
     *
     * @param key      the key it needs, or null when it takes the whole object
     * @param referrer who refers to it, for messages: {@code env DB_PASSWORD of container "main"}
     */
    record Reference(Kind kind, String name, String key, boolean optional, Use use, String referrer) {

        ObjectKey object() {
            return new ObjectKey(kind, name);
        }
    }

    record ObjectKey(Kind kind, String name) {
    }

    private PodReferences() {
    }

    static List<Reference> of(Pod pod) {
        List<Reference> out = new ArrayList<>();
        if (pod.getSpec() == null) {
            return out;
        }
        for (Container c : PodIntents.nonNull(pod.getSpec().getInitContainers())) {
            container(c, "init container \"" + c.getName() + "\"", out);
        }
        for (Container c : PodIntents.nonNull(pod.getSpec().getContainers())) {
            container(c, "container \"" + c.getName() + "\"", out);
        }
        for (Volume v : PodIntents.nonNull(pod.getSpec().getVolumes())) {
            volume(v, out);
        }
        return out;
    }

    private static void container(Container c, String who, List<Reference> out) {
        for (EnvFromSource from : PodIntents.nonNull(c.getEnvFrom())) {
            String referrer = "envFrom" + (from.getPrefix() == null || from.getPrefix().isEmpty() ? ""
                    : " with prefix " + from.getPrefix()) + " of " + who;
            if (from.getConfigMapRef() != null) {
                out.add(new Reference(Kind.CONFIG_MAP, from.getConfigMapRef().getName(), null,
                        isTrue(from.getConfigMapRef().getOptional()), Use.ENV, referrer));
            }
            if (from.getSecretRef() != null) {
                out.add(new Reference(Kind.SECRET, from.getSecretRef().getName(), null,
                        isTrue(from.getSecretRef().getOptional()), Use.ENV, referrer));
            }
        }
        for (EnvVar e : PodIntents.nonNull(c.getEnv())) {
            if (e.getValueFrom() == null) {
                continue;
            }
            String referrer = "env " + e.getName() + " of " + who;
            var cm = e.getValueFrom().getConfigMapKeyRef();
            if (cm != null) {
                out.add(new Reference(Kind.CONFIG_MAP, cm.getName(), cm.getKey(), isTrue(cm.getOptional()), Use.ENV, referrer));
            }
            var secret = e.getValueFrom().getSecretKeyRef();
            if (secret != null) {
                out.add(new Reference(Kind.SECRET, secret.getName(), secret.getKey(), isTrue(secret.getOptional()),
                        Use.ENV, referrer));
            }
        }
    }

    private static void volume(Volume v, List<Reference> out) {
        String referrer = "volume \"" + v.getName() + "\"";
        if (v.getConfigMap() != null) {
            items(Kind.CONFIG_MAP, v.getConfigMap().getName(), v.getConfigMap().getItems(),
                    isTrue(v.getConfigMap().getOptional()), referrer, out);
        }
        if (v.getSecret() != null) {
            items(Kind.SECRET, v.getSecret().getSecretName(), v.getSecret().getItems(),
                    isTrue(v.getSecret().getOptional()), referrer, out);
        }
        if (v.getProjected() != null) {
            List<VolumeProjection> sources = PodIntents.nonNull(v.getProjected().getSources());
            for (int i = 0; i < sources.size(); i++) {
                VolumeProjection p = sources.get(i);
                String who = "projected " + referrer + " source " + i;
                if (p.getConfigMap() != null) {
                    items(Kind.CONFIG_MAP, p.getConfigMap().getName(), p.getConfigMap().getItems(),
                            isTrue(p.getConfigMap().getOptional()), who, out);
                }
                if (p.getSecret() != null) {
                    items(Kind.SECRET, p.getSecret().getName(), p.getSecret().getItems(),
                            isTrue(p.getSecret().getOptional()), who, out);
                }
            }
        }
    }

    private static void items(Kind kind, String name, List<KeyToPath> items, boolean optional, String referrer,
                              List<Reference> out) {
        if (items == null || items.isEmpty()) {
            out.add(new Reference(kind, name, null, optional, Use.VOLUME, referrer));
            return;
        }
        for (KeyToPath item : items) {
            out.add(new Reference(kind, name, item.getKey(), optional, Use.VOLUME, referrer));
        }
    }

    static boolean isTrue(Boolean b) {
        return Boolean.TRUE.equals(b);
    }
}
