package dev.ferry.router;

import dev.ferry.events.PodRef;
import java.util.Objects;

/**
 * Who a pod is: namespace, name and UID (the key of every per-pod topic).
 *
 * @param namespace the pod's namespace
 * @param name      the pod's name
 * @param uid       {@code metadata.uid}
 */
public record PodId(String namespace, String name, String uid) {

    public PodId {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
    }

    public static PodId of(PodRef ref) {
        return new PodId(ref.getNamespace(), ref.getName(), ref.getUid());
    }

    static PodId of(dev.ferry.router.avro.RoutingPod pod) {
        return new PodId(pod.getNamespace(), pod.getName(), pod.getUid());
    }

    public PodRef toRef() {
        // the all-arguments constructor: Avro's builders validate and copy defaults, which shows on the hot path
        return new PodRef(namespace, name, uid);
    }

    /** {@code namespace/name (uid)}. */
    @Override
    public String toString() {
        return namespace + "/" + name + " (" + uid + ")";
    }
}
