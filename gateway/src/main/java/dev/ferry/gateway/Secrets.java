package dev.ferry.gateway;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/** Whether a pod references a Secret anywhere (volumes, projected sources, env, envFrom). */
final class Secrets {

    private Secrets() {
    }

    static boolean uses(Pod pod) {
        if (pod.getSpec() == null) {
            return false;
        }
        boolean inVolumes = orEmpty(pod.getSpec().getVolumes()).stream().anyMatch(Secrets::usesSecret);
        boolean inContainers = Stream.concat(orEmpty(pod.getSpec().getContainers()).stream(),
                orEmpty(pod.getSpec().getInitContainers()).stream()).anyMatch(Secrets::usesSecret);
        return inVolumes || inContainers;
    }

    private static boolean usesSecret(Volume volume) {
        return volume.getSecret() != null || (volume.getProjected() != null
                && orEmpty(volume.getProjected().getSources()).stream()
                .map(VolumeProjection::getSecret).anyMatch(Objects::nonNull));
    }

    private static boolean usesSecret(Container container) {
        boolean env = orEmpty(container.getEnv()).stream().map(EnvVar::getValueFrom).filter(Objects::nonNull)
                .anyMatch(from -> from.getSecretKeyRef() != null);
        boolean envFrom = orEmpty(container.getEnvFrom()).stream().map(EnvFromSource::getSecretRef)
                .anyMatch(Objects::nonNull);
        return env || envFrom;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
