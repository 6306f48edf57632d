package dev.ferry.loadtest.gateway;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What a user of the Kubernetes API sees: a watch on the pods of a namespace that notes, per pod UID, when the
 * MODIFIED event first showed it Running (phase Running, its container running) and Succeeded (phase Succeeded,
 * its container terminated), in {@link #now()} microseconds, taken as the event arrives.
 */
final class PodWatch implements AutoCloseable {

    private static final long OFFSET_MICROS = System.currentTimeMillis() * 1000 - System.nanoTime() / 1000;

    final Map<String, Long> running = new ConcurrentHashMap<>();
    final Map<String, Long> succeeded = new ConcurrentHashMap<>();
    private final Watch watch;

    PodWatch(KubernetesClient client, String namespace) {
        this.watch = client.pods().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                long at = now();
                if (action != Action.MODIFIED || pod.getStatus() == null) {
                    return;
                }
                String uid = pod.getMetadata().getUid();
                if ("Running".equals(pod.getStatus().getPhase()) && main(pod, c -> c.getState().getRunning() != null)) {
                    running.putIfAbsent(uid, at);
                } else if ("Succeeded".equals(pod.getStatus().getPhase())
                        && main(pod, c -> c.getState().getTerminated() != null)) {
                    succeeded.putIfAbsent(uid, at);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                System.err.println("the benchmark's pod watch closed: " + cause.getMessage());
            }
        });
    }

    /** Epoch microseconds on the monotonic clock: intervals are exact, and comparable with a pod's own clock reading. */
    static long now() {
        return OFFSET_MICROS + System.nanoTime() / 1000;
    }

    private static boolean main(Pod pod, Predicate<ContainerStatus> state) {
        return pod.getStatus().getContainerStatuses() != null && pod.getStatus().getContainerStatuses().stream()
                .anyMatch(c -> "main".equals(c.getName()) && c.getState() != null && state.test(c));
    }

    @Override
    public void close() {
        watch.close();
    }
}
