package dev.ferry.loadtest.gateway;

import dev.ferry.cli.DevEnvironment;
import dev.ferry.cli.DevOptions;
import dev.ferry.cli.DevSite;
import dev.ferry.cli.DevServices;
import dev.ferry.devkit.process.Directories;
import dev.ferry.gateway.KubeClients;
import dev.ferry.loadtest.Bench;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Site state change → pod status, end to end: {@code ferry dev} (Kafka and the registry as child processes, the
 * development API server, router, executor and gateway in this JVM) with its local site (the VM backend's local
 * transport, runtime {@code host}, executor poll interval 250 ms). Pods that {@code sleep 2} are created at
 * {@code rate} per second; the job wrapper writes, in epoch milliseconds, when the container started
 * ({@code state/main.started}) and ended ({@code state/main.exit}); a watch notes when the pod showed Running and
 * Succeeded. So the times include the backend noticing the change (the poll interval), the executor publishing it,
 * Kafka, and the gateway writing it.
 */
final class EndToEnd {

    private EndToEnd() {
    }

    static List<String> measure(int n, int rate) throws Exception {
        Path dir = Files.createTempDirectory("ferry-bench-dev-");
        try (DevEnvironment dev = DevEnvironment.start(localSite(DevOptions.defaults(dir)));
             KubernetesClient client = KubeClients.create(dev.kubeconfig());
             PodWatch watch = new PodWatch(client, GatewayBenchmark.NAMESPACE)) {
            warmUp(client, watch);
            List<String> uids = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                GatewayBenchmark.pace(start, i, rate);
                uids.add(client.pods().resource(pod("e2e-" + i, "2")).create().getMetadata().getUid());
            }
            GatewayBenchmark.awaitUntil(() -> watch.succeeded.keySet().containsAll(uids), n + " pods Succeeded");
            client.pods().inNamespace(GatewayBenchmark.NAMESPACE).list().getItems().stream()
                    .filter(p -> uids.contains(p.getMetadata().getUid()) && !watch.succeeded.containsKey(p.getMetadata().getUid()))
                    .forEach(p -> System.out.printf("not Succeeded: %s: %s %s%n", p.getMetadata().getName(),
                            p.getStatus().getPhase(), p.getStatus().getMessage()));
            System.out.printf(Locale.ROOT, "load after the end-to-end pods: %s%n", Bench.load());
            // <work>/site/jobs/<site>/<pod uid>-<attempt>/state: see DevSite and LocalSite
            Path jobs = dir.resolve("site").resolve("jobs").resolve(dev.services().site());
            Map<String, Long> started = new HashMap<>();
            Map<String, Long> ended = new HashMap<>();
            for (String uid : uids) {
                Path state = jobs.resolve(uid + "-0").resolve("state");
                millis(state.resolve("main.started"), 0).ifPresent(ms -> started.put(uid, ms * 1000));
                millis(state.resolve("main.exit"), 1).ifPresent(ms -> ended.put(uid, ms * 1000));
            }
            String offered = rate + " pods/s";
            return List.of(
                    GatewayBenchmark.row("e2e, ferry dev: process started → pod Running (watch)", offered,
                            GatewayBenchmark.between(started, watch.running), n),
                    GatewayBenchmark.row("e2e, ferry dev: process exited → pod Succeeded (watch)", offered,
                            GatewayBenchmark.between(ended, watch.succeeded), n));
        } finally {
            Directories.deleteRecursively(dir);
        }
    }

    /**
     * One pod run to the end first: it warms every path, and outwaits the router learning the site's pool ({@code
     * ferry dev} is up before that, and a pod created in between fails: "no pool is known").
     */
    private static void warmUp(KubernetesClient client, PodWatch watch) throws Exception {
        for (int attempt = 0; attempt < 30; attempt++) {
            String name = "warm-" + attempt;
            String uid = client.pods().resource(pod(name, "0")).create().getMetadata().getUid();
            GatewayBenchmark.awaitUntil(() -> watch.succeeded.containsKey(uid) || "Failed".equals(phase(client, name)),
                    name + " to finish");
            if (watch.succeeded.containsKey(uid)) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("the local site of ferry dev ran no pod in 30 attempts");
    }

    private static String phase(KubernetesClient client, String name) {
        var pod = client.pods().inNamespace(GatewayBenchmark.NAMESPACE).withName(name).get();
        return pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    /** A pod on ferry dev's node that sleeps {@code seconds}. */
    private static Pod pod(String name, String seconds) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(GatewayBenchmark.NAMESPACE).endMetadata()
                .withNewSpec().withNodeName(DevServices.NODE).withRestartPolicy("Never")
                .addNewToleration().withKey("virtual-node.ferry.dev/no-schedule").withOperator("Exists")
                .withEffect("NoSchedule").endToleration()
                .addNewContainer().withName("main").withImage("busybox:1.36").withCommand("sleep", seconds)
                .endContainer().endSpec().build();
    }

    /** The {@code word}-th word of a wrapper's record, in epoch milliseconds; empty when the file is missing. */
    private static Optional<Long> millis(Path file, int word) throws IOException {
        return Files.isReadable(file) ? Optional.of(Long.parseLong(Files.readString(file).strip().split("\\s+")[word]))
                : Optional.empty();
    }

    /** The local site, not Slurm even where {@code sinfo} answers: the same processes on every machine. */
    private static DevOptions localSite(DevOptions options) {
        return options.withExecutor(DevSite.Kind.LOCAL);
    }
}
