package dev.ferry.devkit.apiserver;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark, not a test: how fast the development API server starts, how many status writes per second one fabric8
 * client gets through, and how long a status write takes to reach a {@code spec.nodeName} watch (the path from the
 * gateway's status update to any other watcher). Bounded: {@code N} pods (default 500), loopback only.
 *
 * <pre>
 * mvn -B -o -q -pl devkit test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/devkit.cp -Dmdep.includeScope=test
 * java -Xmx512m -cp devkit/target/test-classes:devkit/target/classes:$(cat /tmp/devkit.cp) \
 *     dev.ferry.devkit.apiserver.ApiServerBenchmark 500
 * </pre>
 */
public final class ApiServerBenchmark {

    private ApiServerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        long started = System.nanoTime();
        try (DevApiServer api = DevApiServer.builder().scheduler(false).build().start();
             KubernetesClient client = Fabric8.client(api)) {
            System.out.printf("start (first in this JVM, class loading included): %.1f ms%n",
                    (System.nanoTime() - started) / 1e6);
            long again = System.nanoTime();
            DevApiServer.builder().build().start().close();
            System.out.printf("start + close (second in this JVM): %.1f ms%n", (System.nanoTime() - again) / 1e6);
            // warm up the client and the server
            for (int i = 0; i < 50; i++) {
                client.pods().resource(Fabric8.podOn("warm-" + i, "node-a")).create();
            }
            long createStart = System.nanoTime();
            Pod[] pods = new Pod[n];
            for (int i = 0; i < n; i++) {
                pods[i] = client.pods().resource(Fabric8.podOn("p-" + i, "node-a")).create();
            }
            double createSeconds = (System.nanoTime() - createStart) / 1e9;
            System.out.printf("create: %d pods in %.2f s = %.0f/s%n", n, createSeconds, n / createSeconds);

            Map<String, Long> sent = new ConcurrentHashMap<>();
            Map<String, Integer> counts = new ConcurrentHashMap<>();
            long[] latencies = new long[n];
            CountDownLatch seen = new CountDownLatch(n);
            CountDownLatch initial = new CountDownLatch(n + 50);
            java.util.concurrent.atomic.AtomicInteger index = new java.util.concurrent.atomic.AtomicInteger();
            try (Watch ignored = client.pods().withField("spec.nodeName", "node-a").watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod pod) {
                    counts.merge(action.name(), 1, Integer::sum);
                    if (action == Action.ADDED) {
                        initial.countDown();
                    }
                    Long at = action == Action.MODIFIED ? sent.remove(pod.getMetadata().getName()) : null;
                    if (at != null) {
                        latencies[index.getAndIncrement()] = System.nanoTime() - at;
                        seen.countDown();
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            })) {
                if (!initial.await(60, TimeUnit.SECONDS)) { // the initial events first
                    throw new IllegalStateException("the watch did not list every pod: " + counts);
                }
                long statusStart = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    Pod running = new PodBuilder(pods[i]).editStatus().withPhase("Running").endStatus().build();
                    sent.put(running.getMetadata().getName(), System.nanoTime());
                    client.pods().resource(running).updateStatus();
                }
                double statusSeconds = (System.nanoTime() - statusStart) / 1e9;
                if (!seen.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("not every status write reached the watch: " + counts);
                }
                System.out.printf("updateStatus: %d in %.2f s = %.0f/s%n", n, statusSeconds, n / statusSeconds);
                long[] sorted = Arrays.copyOf(latencies, index.get());
                Arrays.sort(sorted);
                System.out.printf("status write -> spec.nodeName watch event (from before the PUT): p50 %.2f ms, "
                                + "p99 %.2f ms, max %.2f ms%n", sorted[sorted.length / 2] / 1e6,
                        sorted[(int) Math.floor(sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6);
            }
        }
    }
}
