package dev.ferry.cli;

import dev.ferry.executor.Executor;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.gateway.Gateway;
import dev.ferry.gateway.GatewayConfig;
import dev.ferry.gateway.KubeClients;
import dev.ferry.router.RouterApp;
import dev.ferry.router.RouterConfig;
import dev.ferry.schema.ConfigValues;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topics;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ferry services {@code ferry dev} runs in its own JVM once Kafka, the registry and the API server are up: the
 * router, one site's executor (Slurm or local processes, {@link DevSite}) and the gateway with two virtual nodes.
 * Each is handed to {@code stack} as soon as it started, so a failure later stops it again.
 *
 * @param routerId        the router's application id
 * @param routerStateDir  its state directory
 * @param site            the executor's site
 * @param siteKind        its backend
 * @param siteYaml        its configuration file
 * @param topicPrefix     the topics' prefix
 * @param nodeName        the gateway's virtual node for Ferry's pods
 * @param kubeletPort     the gateway's log endpoint
 * @param gateway         the gateway
 */
public record DevServices(String routerId, Path routerStateDir, String site, DevSite.Kind siteKind, Path siteYaml,
                          String topicPrefix, String nodeName, int kubeletPort, Gateway gateway) {

    /** Ferry's own virtual node: tainted {@code virtual-node.ferry.dev/no-schedule}. */
    public static final String NODE = GatewayConfig.DEFAULT_NODE;
    /** A second node tainted as interLink taints its node, so interLink pod specs schedule unchanged. */
    public static final String INTERLINK_NODE = "interlink-node";

    private static final Logger LOG = LoggerFactory.getLogger(DevServices.class);
    private static final Duration ROUTER_START = Duration.ofSeconds(60);
    private static final Duration ROUTER_STOP = Duration.ofSeconds(20);
    private static final Duration NODE_READY = Duration.ofSeconds(60);

    static DevServices start(Path workDir, DevOptions options, String bootstrap, String registryUrl, Path kubeconfig,
                             Consumer<DevEnvironment.Component> stack) {
        Topics topics = new Topics(options.topics(), new EventSerdes(SerdeConfig.forRegistry(registryUrl)));
        Path siteDir = createDirectories(workDir.resolve("site"));
        Path keyFile = siteDir.resolve("secret.key");
        String key = DevSite.newKey(keyFile);
        stack.accept(DevEnvironment.Component.of("secret key", () -> Files.deleteIfExists(keyFile)));

        Path stateDir = createDirectories(workDir.resolve("router"));
        RouterConfig routerConfig = RouterConfig.defaults().withStateDir(stateDir);
        RouterApp router = startRouter(routerConfig, topics, bootstrap);
        stack.accept(DevEnvironment.Component.of("router", () -> router.close(ROUTER_STOP)));

        String site = options.sites().get(0);
        DevSite.Kind kind = DevSite.resolve(options.executor(), System.getenv());
        Path siteYaml = siteDir.resolve("site.yaml");
        DevSite.writePrivate(siteYaml, DevSite.yaml(site, kind, siteDir, bootstrap, registryUrl, options.topics().prefix(), key,
                System.getenv()));
        stack.accept(DevEnvironment.Component.of("site.yaml", () -> Files.deleteIfExists(siteYaml)));
        Executor executor = startExecutor(siteYaml, site);
        stack.accept(DevEnvironment.Component.of("executor", executor));

        KubernetesClient client = KubeClients.create(kubeconfig);
        stack.accept(DevEnvironment.Component.of("Kubernetes client", client));
        GatewayConfig gatewayConfig = GatewayConfig.from(ConfigValues.of(Map.of(
                GatewayConfig.NODES, NODE + "," + INTERLINK_NODE,
                GatewayConfig.INTERLINK_NODES, INTERLINK_NODE,
                GatewayConfig.KUBELET_PORT, "0",
                GatewayConfig.KUBELET_BIND, "127.0.0.1",
                GatewayConfig.SECRET_KEY_FILE, keyFile.toString(),
                GatewayConfig.SECRET_KEY_ID, DevSite.KEY_ID)));
        Gateway gateway = startGateway(gatewayConfig, topics, bootstrap, client);
        stack.accept(DevEnvironment.Component.of("gateway", gateway));
        awaitNode(client, NODE);
        awaitNode(client, INTERLINK_NODE);
        LOG.info("Router, executor (site {}, {}) and gateway (nodes {}, {}) are up", site, kind, NODE, INTERLINK_NODE);
        return new DevServices(routerConfig.applicationId(), stateDir, site, kind, siteYaml, options.topics().prefix(),
                NODE, gateway.kubeletPort(), gateway);
    }

    private static RouterApp startRouter(RouterConfig config, Topics topics, String bootstrap) {
        try {
            return RouterApp.start(config, topics, bootstrap, ROUTER_START);
        } catch (IllegalStateException e) {
            throw new CliException(Ferry.EXIT_FAILED, "the router did not start (everything else was stopped again): "
                    + e.getMessage(), e);
        }
    }

    private static Executor startExecutor(Path siteYaml, String site) {
        try {
            return Executor.create(SiteConfig.load(siteYaml), site, Map.of(), Clock.systemUTC()).start();
        } catch (RuntimeException e) {
            throw new CliException(Ferry.EXIT_FAILED, "the executor for site " + site + " did not start (everything "
                    + "else was stopped again): " + e.getMessage(), e);
        }
    }

    private static Gateway startGateway(GatewayConfig config, Topics topics, String bootstrap,
                                        KubernetesClient client) {
        try {
            return Gateway.start(config, topics, Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    client, Clock.systemUTC());
        } catch (RuntimeException e) {
            throw new CliException(Ferry.EXIT_FAILED, "the gateway did not start (everything else was stopped "
                    + "again): " + e.getMessage(), e);
        }
    }

    /**
     * Until the gateway registered its node as Ready with the site's capacity: the executor's pool advert has gone
     * through {@code pools}, which the router reads too, so a pod applied right away finds a pool instead of being
     * rejected with "no pool is known".
     */
    private static void awaitNode(KubernetesClient client, String name) {
        long deadline = System.nanoTime() + NODE_READY.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Node node = client.nodes().withName(name).get();
                if (node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                        && node.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                        && hasCpu(node)) {
                    return;
                }
            } catch (KubernetesClientException e) {
                LOG.debug("Node {} not readable yet: {}", name, e.getMessage());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(Ferry.EXIT_FAILED, "interrupted while waiting for virtual node " + name);
            }
        }
        throw new CliException(Ferry.EXIT_FAILED, "virtual node " + name + " was not Ready with the site's capacity "
                + "within " + NODE_READY.toSeconds() + " s: the gateway did not register it, or the executor advertised "
                + "no pool (everything else was stopped again)");
    }

    private static boolean hasCpu(Node node) {
        Quantity cpu = node.getStatus().getAllocatable() == null ? null : node.getStatus().getAllocatable().get("cpu");
        return cpu != null && Quantity.getAmountInBytes(cpu).signum() > 0;
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliException(Ferry.EXIT_FAILED, "cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
