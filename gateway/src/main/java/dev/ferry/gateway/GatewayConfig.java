package dev.ferry.gateway;

import dev.ferry.gateway.intent.Sealer;
import dev.ferry.gateway.node.NodeSettings;
import dev.ferry.schema.ConfigException;
import dev.ferry.schema.ConfigValues;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's settings, validated in one place: a bad value fails at start with a {@link ConfigException} naming
 * the key. Every key can also be set as an environment variable ({@code FERRY_GATEWAY_NODES}).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code ferry.gateway.nodes}</td><td>{@code ferry-virtual-node}</td><td>the virtual nodes to register,
 *       comma-separated</td></tr>
 *   <tr><td>{@code ferry.gateway.id}</td><td>{@code <host>-<pid>}</td><td>this replica's identity in leader
 *       election and in intents</td></tr>
 *   <tr><td>{@code ferry.gateway.interlink-nodes}</td><td>none</td><td>those of the nodes that are tainted as
 *       interLink taints its node ({@code virtual-node.interlink/no-schedule}) instead of with Ferry's taint, so
 *       interLink pod specs, which tolerate only that, schedule there unchanged (a pod must tolerate every
 *       NoSchedule taint of a node, so one node cannot carry both)</td></tr>
 *   <tr><td>{@code ferry.gateway.kubelet-address}</td><td>{@code 127.0.0.1}</td><td>the address the API server
 *       reaches the log endpoint on (the node's InternalIP); in a cluster, the gateway pod's IP</td></tr>
 *   <tr><td>{@code ferry.gateway.kubelet-port}</td><td>{@code 10250}</td><td>the log endpoint's port (0: a free
 *       one)</td></tr>
 *   <tr><td>{@code ferry.gateway.kubelet-bind}</td><td>{@code 0.0.0.0}</td><td>the address it listens on</td></tr>
 *   <tr><td>{@code ferry.gateway.kubelet-tls}</td><td>{@code true}</td><td>serve HTTPS with a self-signed
 *       certificate made at start, as kube-apiserver expects of a kubelet; false: plain HTTP (behind a TLS
 *       proxy)</td></tr>
 *   <tr><td>{@code ferry.gateway.resolve-timeout}</td><td>{@code 30s}</td><td>how long a pod waits for a
 *       ConfigMap or Secret it references before it fails with the missing name</td></tr>
 *   <tr><td>{@code ferry.gateway.secret-key-file}</td><td>none</td><td>a file with the base64 32-byte AES key
 *       Secret values are sealed with (the executors have it under {@code secrets.keys}); without it, pods that use
 *       Secrets fail with a message saying so</td></tr>
 *   <tr><td>{@code ferry.gateway.secret-key-id}</td><td>{@code default}</td><td>the key's id</td></tr>
 *   <tr><td>{@code ferry.gateway.max-pods}</td><td>{@code 1000}</td><td>the nodes' {@code pods} capacity</td></tr>
 *   <tr><td>{@code ferry.gateway.lease-duration}</td><td>{@code 40s}</td><td>node heartbeat Lease and leader
 *       election Lease duration</td></tr>
 *   <tr><td>{@code ferry.gateway.renew-interval}</td><td>{@code 10s}</td><td>node Lease renewal</td></tr>
 *   <tr><td>{@code ferry.gateway.status-interval}</td><td>{@code 60s}</td><td>node status refresh when nothing
 *       changed</td></tr>
 *   <tr><td>{@code ferry.gateway.group-prefix}</td><td>{@code ferry-gateway.}</td><td>consumer group prefix; the
 *       group for a node is the prefix and the node name</td></tr>
 * </table>
 */
public record GatewayConfig(
        List<NodeSettings> nodes,
        String gatewayId,
        String kubeletBind,
        int kubeletPort,
        boolean kubeletTls,
        Duration resolveTimeout,
        Optional<Sealer> sealer,
        Duration leaseDuration,
        String groupPrefix) {

    public static final String NODES = "ferry.gateway.nodes";
    public static final String ID = "ferry.gateway.id";
    public static final String INTERLINK_NODES = "ferry.gateway.interlink-nodes";
    public static final String KUBELET_ADDRESS = "ferry.gateway.kubelet-address";
    public static final String KUBELET_PORT = "ferry.gateway.kubelet-port";
    public static final String KUBELET_BIND = "ferry.gateway.kubelet-bind";
    public static final String KUBELET_TLS = "ferry.gateway.kubelet-tls";
    public static final String RESOLVE_TIMEOUT = "ferry.gateway.resolve-timeout";
    public static final String SECRET_KEY_FILE = "ferry.gateway.secret-key-file";
    public static final String SECRET_KEY_ID = "ferry.gateway.secret-key-id";
    public static final String MAX_PODS = "ferry.gateway.max-pods";
    public static final String LEASE_DURATION = "ferry.gateway.lease-duration";
    public static final String RENEW_INTERVAL = "ferry.gateway.renew-interval";
    public static final String STATUS_INTERVAL = "ferry.gateway.status-interval";
    public static final String GROUP_PREFIX = "ferry.gateway.group-prefix";

    public static final String DEFAULT_NODE = "ferry-virtual-node";

    public GatewayConfig {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new ConfigException(NODES, "must name at least one virtual node");
        }
        if (nodes.stream().map(NodeSettings::name).distinct().count() != nodes.size()) {
            throw new ConfigException(NODES, "names a node twice: " + nodes.stream().map(NodeSettings::name).toList());
        }
    }

    /** Reads and checks every {@code ferry.gateway.*} key. */
    public static GatewayConfig from(ConfigValues values) {
        List<String> names = Arrays.stream(values.string(NODES, DEFAULT_NODE).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        Duration lease = positive(values, LEASE_DURATION, Duration.ofSeconds(40));
        Duration renew = positive(values, RENEW_INTERVAL, Duration.ofSeconds(10));
        Duration status = positive(values, STATUS_INTERVAL, Duration.ofSeconds(60));
        if (renew.compareTo(lease) >= 0) {
            throw new ConfigException(RENEW_INTERVAL, "must be shorter than " + LEASE_DURATION + " (" + lease
                    + "), was " + renew);
        }
        int kubeletPort = values.integer(KUBELET_PORT, 10250, 0, 65_535);
        List<String> interLink = Arrays.stream(values.string(INTERLINK_NODES, "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        interLink.stream().filter(n -> !names.contains(n)).findFirst().ifPresent(n -> {
            throw new ConfigException(INTERLINK_NODES, "names '" + n + "', which is not in " + NODES + " " + names);
        });
        String address = values.string(KUBELET_ADDRESS, "127.0.0.1");
        int maxPods = values.integer(MAX_PODS, 1000, 1, 1_000_000);
        List<NodeSettings> nodes = names.stream().map(name -> {
            try {
                // with port 0 the node shows the port the endpoint gets once it listens (withKubeletPort)
                return new NodeSettings(name, interLink.contains(name), address, kubeletPort == 0 ? 10250 : kubeletPort,
                        Map.of(), maxPods, lease, renew, status);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(NODES, e.getMessage());
            }
        }).toList();
        return new GatewayConfig(nodes, values.string(ID, defaultId()), values.string(KUBELET_BIND, "0.0.0.0"),
                kubeletPort, values.bool(KUBELET_TLS, true), positive(values, RESOLVE_TIMEOUT, Duration.ofSeconds(30)), sealer(values), lease,
                values.string(GROUP_PREFIX, "ferry-gateway."));
    }

    /** The same configuration with the log endpoint on {@code port} (e.g. the free port it got). */
    public GatewayConfig withKubeletPort(int port) {
        List<NodeSettings> moved = nodes.stream().map(n -> new NodeSettings(n.name(), n.interLinkTaint(), n.address(),
                port, n.extraLabels(), n.maxPods(), n.leaseDuration(), n.renewEvery(), n.statusEvery())).toList();
        return new GatewayConfig(moved, gatewayId, kubeletBind, port, kubeletTls, resolveTimeout, sealer,
                leaseDuration, groupPrefix);
    }

    /** The keys and their values as given, for {@code --help}-style listings and tests. */
    public static Map<String, String> describe(GatewayConfig config) {
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put(NODES, String.join(",", config.nodes().stream().map(NodeSettings::name).toList()));
        shown.put(ID, config.gatewayId());
        shown.put(KUBELET_PORT, Integer.toString(config.kubeletPort()));
        shown.put(RESOLVE_TIMEOUT, config.resolveTimeout().toString());
        shown.put(SECRET_KEY_ID, config.sealer().map(Sealer::keyId).orElse("(none: pods using Secrets fail)"));
        return shown;
    }

    private static Optional<Sealer> sealer(ConfigValues values) {
        Optional<String> file = values.get(SECRET_KEY_FILE);
        if (file.isEmpty() || file.get().isBlank()) {
            return Optional.empty();
        }
        String keyId = values.string(SECRET_KEY_ID, "default");
        String base64;
        try {
            base64 = Files.readString(Path.of(file.get()), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new ConfigException(SECRET_KEY_FILE, "cannot read " + file.get() + ": " + e);
        }
        try {
            return Optional.of(Sealer.fromBase64(keyId, base64));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SECRET_KEY_FILE, file.get() + ": " + e.getMessage());
        }
    }

    private static Duration positive(ConfigValues values, String key, Duration defaultValue) {
        Duration value = values.duration(key).orElse(defaultValue);
        if (value.isNegative() || value.isZero()) {
            throw new ConfigException(key, "must be positive, was " + value);
        }
        return value;
    }

    private static String defaultId() {
        // "pid@host", as the JVM names itself
        String[] name = ManagementFactory.getRuntimeMXBean().getName().split("@", 2);
        return name.length == 2 ? name[1] + "-" + name[0] : name[0];
    }
}
