package dev.ferry.gateway.intent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The downward API as the kubelet evaluates it, from the pod object the gateway holds: field paths
 * ({@code fieldRef}) and container resources ({@code resourceFieldRef}). Pure.
 */
final class DownwardApi {

    /** The field paths the kubelet resolves, besides {@code metadata.labels['k']} and {@code metadata.annotations['k']}. */
    static final List<String> FIELD_PATHS = List.of("metadata.name", "metadata.namespace", "metadata.uid",
            "metadata.labels", "metadata.annotations", "spec.nodeName", "spec.serviceAccountName",
            "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs");

    static final List<String> RESOURCES = List.of("limits.cpu", "limits.memory", "limits.ephemeral-storage",
            "requests.cpu", "requests.memory", "requests.ephemeral-storage");

    private static final Pattern SUBSCRIPT = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

    private DownwardApi() {
    }

    static boolean knownFieldPath(String path) {
        return path != null && (FIELD_PATHS.contains(path) || SUBSCRIPT.matcher(path).matches());
    }

    static boolean knownResource(String resource) {
        return resource != null && (RESOURCES.contains(resource)
                || resource.startsWith("limits.hugepages-") || resource.startsWith("requests.hugepages-"));
    }

    /**
     * The value of {@code path} for {@code pod}; empty string for what is not known yet (e.g. the pod IP
     * before the site reports one), as the kubelet gives for an unset field.
     *
     * @param nodeName used for {@code spec.nodeName} when the pod object does not carry it
     * @throws IllegalArgumentException for a path the kubelet does not know either
     */
    static String field(Pod pod, String path, String nodeName) {
        var meta = pod.getMetadata();
        var spec = pod.getSpec();
        var status = pod.getStatus();
        Matcher subscript = path == null ? null : SUBSCRIPT.matcher(path);
        if (subscript != null && subscript.matches()) {
            Map<String, String> map = "labels".equals(subscript.group(1)) ? meta.getLabels() : meta.getAnnotations();
            return map == null ? "" : map.getOrDefault(subscript.group(2), "");
        }
        String value = switch (path == null ? "" : path) {
            case "metadata.name" -> meta.getName();
            case "metadata.namespace" -> meta.getNamespace();
            case "metadata.uid" -> meta.getUid();
            case "metadata.labels" -> formatMap(meta.getLabels());
            case "metadata.annotations" -> formatMap(meta.getAnnotations());
            case "spec.nodeName" -> spec != null && spec.getNodeName() != null ? spec.getNodeName() : nodeName;
            case "spec.serviceAccountName" -> spec == null ? null : serviceAccount(spec);
            case "status.podIP" -> status == null ? null : status.getPodIP();
            case "status.podIPs" -> status == null ? null : joinIps(status.getPodIPs() == null ? Stream.empty()
                    : status.getPodIPs().stream().map(ip -> ip.getIp()), status.getPodIP());
            case "status.hostIP" -> status == null ? null : status.getHostIP();
            case "status.hostIPs" -> status == null ? null : joinIps(status.getHostIPs() == null ? Stream.empty()
                    : status.getHostIPs().stream().map(ip -> ip.getIp()), status.getHostIP());
            default -> throw new IllegalArgumentException("fieldRef \"" + path + "\" is not a downward-API field; use one of "
                    + String.join(", ", FIELD_PATHS) + ", metadata.labels['<key>'] or metadata.annotations['<key>']");
        };
        return value == null ? "" : value;
    }

    static String serviceAccount(io.fabric8.kubernetes.api.model.PodSpec spec) {
        return spec.getServiceAccountName() != null ? spec.getServiceAccountName() : spec.getServiceAccount();
    }

    private static String joinIps(Stream<String> ips, String single) {
        String joined = ips.filter(ip -> ip != null && !ip.isEmpty()).collect(Collectors.joining(","));
        return joined.isEmpty() ? single : joined;
    }

    /**
     * A resource of a container, rounded up in units of the divisor as the kubelet does
     * ({@code ceil(value / divisor)}, divisor 1 by default). A missing request falls back to the limit
     * (as API defaulting does) and then to 0; a missing limit, which the kubelet fills from the node's
     * allocatable, falls back to the request; empty when neither is set, since no site's allocatable
     * is known at intent time.
     *
     * @param current the container the reference appears in (used when it names no container)
     * @throws IllegalArgumentException when the named container does not exist or the resource is unknown
     */
    static Optional<String> resource(Pod pod, Container current, ResourceFieldSelector ref) {
        Container container = current;
        String named = ref.getContainerName();
        if (named != null && !named.isEmpty() && (current == null || !named.equals(current.getName()))) {
            container = Stream.concat(PodIntents.nonNull(pod.getSpec().getContainers()).stream(),
                            PodIntents.nonNull(pod.getSpec().getInitContainers()).stream())
                    .filter(c -> named.equals(c.getName())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("resourceFieldRef names container \"" + named
                            + "\", which the pod does not have"));
        }
        if (container == null) {
            throw new IllegalArgumentException("resourceFieldRef \"" + ref.getResource() + "\" names no container");
        }
        String resource = ref.getResource();
        if (!knownResource(resource)) {
            throw new IllegalArgumentException("resourceFieldRef \"" + resource + "\" is not a resource the downward API "
                    + "gives; use one of " + String.join(", ", RESOURCES) + " or requests/limits.hugepages-<size>");
        }
        boolean limit = resource.startsWith("limits.");
        String name = resource.substring(resource.indexOf('.') + 1);
        ResourceRequirements res = container.getResources();
        Quantity request = res == null || res.getRequests() == null ? null : res.getRequests().get(name);
        Quantity lim = res == null || res.getLimits() == null ? null : res.getLimits().get(name);
        Quantity value = limit ? (lim != null ? lim : request) : (request != null ? request : lim);
        if (value == null) {
            if (limit) {
                return Optional.empty();
            }
            return Optional.of("0");
        }
        BigDecimal divisor = BigDecimal.ONE;
        if (ref.getDivisor() != null && ref.getDivisor().getAmount() != null && !ref.getDivisor().getAmount().isEmpty()) {
            divisor = Quantity.getAmountInBytes(ref.getDivisor());
        }
        if (divisor.signum() <= 0) {
            divisor = BigDecimal.ONE;
        }
        BigDecimal amount = Quantity.getAmountInBytes(value);
        return Optional.of(amount.divide(divisor, 0, RoundingMode.CEILING).toPlainString());
    }

    /** {@code key="value"} lines sorted by key, values quoted as Go's {@code %q} does: the kubelet's format. */
    static String formatMap(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return "";
        }
        return new TreeMap<>(map).entrySet().stream()
                .map(e -> e.getKey() + "=" + goQuote(e.getValue()))
                .collect(Collectors.joining("\n"));
    }

    static String goQuote(String value) {
        StringBuilder out = new StringBuilder("\"");
        value.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case 0x0B -> out.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7F) {
                        out.append(String.format("\\x%02x", cp));
                    } else if (Character.isISOControl(cp) || !Character.isDefined(cp)) {
                        out.append(cp > 0xFFFF ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return out.append('"').toString();
    }
}
