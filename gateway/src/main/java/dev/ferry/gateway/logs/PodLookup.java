package dev.ferry.gateway.logs;

import java.util.Optional;
import java.util.Set;

/**
 * Maps a pod's name to what {@link KafkaLogSource} needs: its UID, the key of its {@code pod-logs} records. The
 * gateway answers from the API (an informer of the pods bound to its node).
 */
public interface PodLookup {

    /** The pod's {@code metadata.uid}, or empty when there is no such pod. */
    Optional<String> uid(String namespace, String name);

    /**
     * The names of the pod's containers (init containers included), when known; a request for another container
     * then gets 404. Empty (the default) accepts any container name.
     */
    default Optional<Set<String>> containers(String namespace, String name) {
        return Optional.empty();
    }
}
