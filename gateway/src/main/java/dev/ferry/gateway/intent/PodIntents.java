package dev.ferry.gateway.intent;

import dev.ferry.events.IntentOperation;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodRef;
import dev.ferry.gateway.intent.ReferenceResolver.Resolved;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the {@link PodIntent} records the gateway publishes for a pod bound to the virtual node.
 * Pure: the ConfigMaps and Secrets come resolved ({@link ReferenceResolver}), Secret data is sealed
 * by the given {@link Sealer}, time is passed in.
 */
public final class PodIntents {

    private PodIntents() {
    }

    /**
     * The deterministic id of an intent, {@code <uid>/<OPERATION>/<generation>}: announcing the same
     * pod state twice gives the same id, so the router drops the duplicate.
     */
    public static String intentId(String podUid, IntentOperation operation, long generation) {
        return Objects.requireNonNull(podUid, "podUid") + "/" + Objects.requireNonNull(operation, "operation").name()
                + "/" + generation;
    }

    /**
     * The CREATE intent with the pod's full spec snapshot: env and volumes resolved from
     * {@code refs} and the downward API, Secret data sealed, ConfigMap data plain.
     *
     * @param refs what {@link ReferenceResolver#resolve(Pod)} returned for this pod
     * @throws IllegalArgumentException when a required ConfigMap, Secret or key is not in {@code refs}
     */
    public static PodIntent create(Pod pod, Resolved refs, Sealer sealer, String nodeName, String gatewayId, Instant now) {
        Objects.requireNonNull(refs, "refs");
        Objects.requireNonNull(sealer, "sealer");
        long generation = generation(pod);
        return base(pod, IntentOperation.CREATE, generation, nodeName, gatewayId, now)
                .setSpec(new SpecSnapshots(pod, refs, sealer, nodeName).snapshot())
                .build();
    }

    /** The DELETE intent: the pod's identity, labels and annotations, no spec. */
    public static PodIntent delete(Pod pod, String nodeName, String gatewayId, Instant now) {
        return base(pod, IntentOperation.DELETE, generation(pod), nodeName, gatewayId, now).setSpec(null).build();
    }

    /** The pod's namespace, name and UID. */
    public static PodRef podRef(Pod pod) {
        ObjectMeta meta = Objects.requireNonNull(pod.getMetadata(), "pod.metadata");
        return PodRef.newBuilder()
                .setNamespace(meta.getNamespace() == null ? "default" : meta.getNamespace())
                .setName(Objects.requireNonNull(meta.getName(), "pod.metadata.name"))
                .setUid(Objects.requireNonNull(meta.getUid(), "pod.metadata.uid"))
                .build();
    }

    private static PodIntent.Builder base(Pod pod, IntentOperation operation, long generation, String nodeName,
                                          String gatewayId, Instant now) {
        PodRef ref = podRef(pod);
        return PodIntent.newBuilder()
                .setIntentId(intentId(ref.getUid(), operation, generation))
                .setOperation(operation)
                .setPod(ref)
                .setGeneration(generation)
                .setNodeName(Objects.requireNonNull(nodeName, "nodeName"))
                .setLabels(copy(pod.getMetadata().getLabels()))
                .setAnnotations(copy(pod.getMetadata().getAnnotations()))
                // the topic stores milliseconds: truncating here keeps the record equal to what a reader gets back
                .setCreatedAt(now.truncatedTo(ChronoUnit.MILLIS))
                .setGatewayId(gatewayId);
    }

    private static long generation(Pod pod) {
        Long generation = pod.getMetadata() == null ? null : pod.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    static Map<String, String> copy(Map<String, String> map) {
        return map == null ? new LinkedHashMap<>() : new LinkedHashMap<>(map);
    }

    static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
