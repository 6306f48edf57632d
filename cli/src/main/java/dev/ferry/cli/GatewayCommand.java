package dev.ferry.cli;

import dev.ferry.gateway.Gateway;
import dev.ferry.gateway.GatewayConfig;
import dev.ferry.gateway.KubeClients;
import dev.ferry.schema.ConfigValues;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry gateway}: Ferry's virtual nodes in a Kubernetes cluster, until SIGTERM or Ctrl-C. */
@Command(name = "gateway",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        sortOptions = false,
        description = {
                "Run the gateway: register virtual nodes in a Kubernetes cluster, turn the pods bound to them into "
                        + "intents on Kafka, and bring status, exit codes, events and logs back into the pods.",
                "Reads pods (spec.nodeName=<node>), ConfigMaps and Secrets they use, pools, pod-status, decisions and "
                        + "pod-logs; writes pod-intents, Nodes, Leases, pod status and Events. RBAC: "
                        + "deploy/kubernetes/gateway-rbac.yaml.",
                "Several replicas are safe: one leads each node (a Lease in kube-node-lease); another takes over "
                        + "within the lease duration when it dies. SIGTERM or Ctrl-C releases the nodes and exits 0."},
        footer = {ConfigOptions.TOPIC_SETTINGS_HELP, GatewayCommand.GATEWAY_SETTINGS_HELP},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:stopped by SIGTERM or Ctrl-C",
                "1:Kafka, the registry or the Kubernetes API unusable, or the gateway failed",
                "2:bad usage or configuration"})
final class GatewayCommand implements Callable<Integer> {

    static final String GATEWAY_SETTINGS_HELP = "%nGateway settings (same sources and precedence):"
            + "%n  ferry.registry.url             the schema registry (or --registry-url)"
            + "%n  ferry.gateway.nodes            virtual nodes, comma-separated (or --node;"
            + "%n                                 default " + GatewayConfig.DEFAULT_NODE + ")"
            + "%n  ferry.gateway.interlink-nodes  nodes with interLink's taint instead of"
            + "%n                                 Ferry's, for interLink pod specs as they are"
            + "%n  ferry.gateway.kubelet-address  the nodes' InternalIP (where the API server"
            + "%n                                 fetches logs; default 127.0.0.1)"
            + "%n  ferry.gateway.kubelet-port     the log endpoint (default 10250; 0: free)"
            + "%n  ferry.gateway.kubelet-tls      HTTPS with a self-signed certificate, as"
            + "%n                                 kube-apiserver expects (default true)"
            + "%n  ferry.gateway.resolve-timeout  how long a pod waits for a missing"
            + "%n                                 ConfigMap or Secret (default 30s)"
            + "%n  ferry.gateway.secret-key-file  base64 32-byte key that seals Secret values"
            + "%n                                 (the sites' secrets.keys); without it, pods"
            + "%n                                 that use Secrets fail"
            + "%n  ferry.gateway.secret-key-id    that key's id (default 'default')"
            + "%n  ferry.gateway.lease-duration   node and leader Leases (default 40s)"
            + "%n  ferry.gateway.renew-interval   node Lease renewal (default 10s)"
            + "%n  ferry.gateway.id               this replica's identity (<host>-<pid>)";

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = {"The cluster to act in.",
                    "Default: as kubectl finds it ($KUBECONFIG, ~/.kube/config), else the in-cluster service account."})
    private Path kubeconfig;

    @Option(names = "--node", paramLabel = "NAME",
            description = "A virtual node to register; repeatable. Default: ferry.gateway.nodes, else "
                    + GatewayConfig.DEFAULT_NODE + ".")
    private List<String> nodes = new ArrayList<>();

    @Mixin
    private ConfigOptions config;

    @Override
    public Integer call() {
        Map<String, String> environment = Ferry.root(spec).environment();
        KafkaOptions.Settings settings = kafka.settings(config,
                nodes.isEmpty() ? Map.of() : Map.of(GatewayConfig.NODES, String.join(",", nodes)), environment);
        ConfigValues values = settings.values();
        GatewayConfig gatewayConfig = GatewayConfig.from(values);
        Topics topics = new Topics(TopicsConfig.from(values),
                new EventSerdes(SerdeConfig.from(values, settings.given())));
        String bootstrap = kafka.bootstrap(environment);
        PrintWriter out = spec.commandLine().getOut();

        KubernetesClient client;
        try {
            client = KubeClients.create(kubeconfig);
        } catch (UncheckedIOException e) {
            throw new CliException(Ferry.EXIT_USAGE, e.getCause().getMessage(), e);
        }
        Map<String, Object> kafka = new HashMap<>();
        kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (client; Gateway gateway = start(gatewayConfig, topics, kafka, client)) {
            CompletableFuture<String> stop = new CompletableFuture<>();
            StopSignals.install(() -> stop.complete(null));
            gateway.failure().thenAccept(e -> stop.complete("the gateway failed: " + e));
            out.printf("Gateway %s started for nodes %s on %s (Kafka %s); kubelet log endpoint on port %d%n",
                    gatewayConfig.gatewayId(), GatewayConfig.describe(gatewayConfig).get(GatewayConfig.NODES),
                    client.getMasterUrl(), bootstrap, gateway.kubeletPort());
            out.flush();
            String failure = stop.join();
            out.println(failure == null ? "Stopping the gateway ..." : "Stopping: " + failure);
            out.flush();
            if (failure != null) {
                throw new CliException(Ferry.EXIT_FAILED, failure);
            }
        }
        out.println("Stopped.");
        out.flush();
        return Ferry.EXIT_OK;
    }

    private static Gateway start(GatewayConfig config, Topics topics, Map<String, Object> kafka,
                                 KubernetesClient client) {
        try {
            return Gateway.start(config, topics, kafka, client, Clock.systemUTC());
        } catch (UncheckedIOException e) {
            throw new CliException(Ferry.EXIT_FAILED, "the gateway did not start: " + e.getMessage(), e);
        }
    }
}
