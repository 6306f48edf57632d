package dev.ferry.gateway.node;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How one virtual node presents itself and how often it proves it is alive.
 *
 * @param name          the Node's name: a DNS-1123 subdomain (lower case letters, digits, '-' and '.')
 * @param interLinkTaint whether the node carries interLink's taint {@code virtual-node.interlink/no-schedule} instead
 *                      of Ferry's, so pods written for interLink (which tolerate only that taint) land here unchanged
 * @param address       the node's InternalIP: where the API server reaches the kubelet log endpoint
 * @param kubeletPort   the port of the kubelet log endpoint ({@code status.daemonEndpoints.kubeletEndpoint.Port})
 * @param extraLabels   labels beside the ones every virtual node has
 * @param maxPods       the node's {@code pods} capacity
 * @param leaseDuration how long the node's Lease stays valid without a renewal (the node controller marks the
 *                      node NotReady after about this long)
 * @param renewEvery    how often the Lease is renewed; shorter than {@code leaseDuration}
 * @param statusEvery   the longest time between two status writes when nothing changes
 */
public record NodeSettings(String name, boolean interLinkTaint, String address, int kubeletPort,
                           Map<String, String> extraLabels, int maxPods, Duration leaseDuration, Duration renewEvery,
                           Duration statusEvery) {

    private static final Pattern DNS_1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public NodeSettings {
        requireNodeName(name);
        Objects.requireNonNull(address, "address");
        requireIpAddress(address);
        if (kubeletPort < 1 || kubeletPort > 65535) {
            throw new IllegalArgumentException("kubeletPort must be a TCP port (1-65535), was " + kubeletPort);
        }
        extraLabels = Map.copyOf(Objects.requireNonNull(extraLabels, "extraLabels"));
        extraLabels.forEach(NodeSettings::requireLabel);
        for (String key : extraLabels.keySet()) {
            if (VirtualNodes.FIXED_LABEL_KEYS.contains(key)) {
                throw new IllegalArgumentException("extra label " + key + " cannot be set: every virtual node sets it "
                        + "itself (" + VirtualNodes.FIXED_LABEL_KEYS + ")");
            }
        }
        if (maxPods < 1) {
            throw new IllegalArgumentException("maxPods must be at least 1, was " + maxPods);
        }
        requireAtLeast("leaseDuration", leaseDuration, Duration.ofSeconds(1));
        requireAtLeast("renewEvery", renewEvery, Duration.ofMillis(10));
        requireAtLeast("statusEvery", statusEvery, Duration.ofMillis(10));
        if (leaseDuration.toSeconds() * 1000 != leaseDuration.toMillis()) {
            throw new IllegalArgumentException("leaseDuration must be whole seconds (Lease.spec.leaseDurationSeconds),"
                    + " was " + leaseDuration);
        }
        if (renewEvery.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("renewEvery (" + renewEvery + ") must be shorter than leaseDuration ("
                    + leaseDuration + "), or the lease expires between two renewals");
        }
    }

    /**
     * The usual settings for a node called {@code name}: no interLink taint, address 127.0.0.1, kubelet port 10250,
     * 1000 pods, a 40 s lease renewed every 10 s, status at least every 60 s (a kubelet's defaults).
     */
    public static NodeSettings defaults(String name) {
        return new NodeSettings(name, false, "127.0.0.1", 10250, Map.of(), 1000, Duration.ofSeconds(40),
                Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    public NodeSettings withInterLinkTaint(boolean taint) {
        return new NodeSettings(name, taint, address, kubeletPort, extraLabels, maxPods, leaseDuration, renewEvery,
                statusEvery);
    }

    public NodeSettings withAddress(String newAddress, int newKubeletPort) {
        return new NodeSettings(name, interLinkTaint, newAddress, newKubeletPort, extraLabels, maxPods, leaseDuration,
                renewEvery, statusEvery);
    }

    public NodeSettings withExtraLabels(Map<String, String> labels) {
        return new NodeSettings(name, interLinkTaint, address, kubeletPort, labels, maxPods, leaseDuration, renewEvery,
                statusEvery);
    }

    public NodeSettings withMaxPods(int pods) {
        return new NodeSettings(name, interLinkTaint, address, kubeletPort, extraLabels, pods, leaseDuration,
                renewEvery, statusEvery);
    }

    public NodeSettings withTimings(Duration lease, Duration renew, Duration status) {
        return new NodeSettings(name, interLinkTaint, address, kubeletPort, extraLabels, maxPods, lease, renew, status);
    }

    /** The extra labels in key order, for stable output. */
    public Map<String, String> sortedExtraLabels() {
        return new TreeMap<>(extraLabels);
    }

    /** Checks a node name as the API server will: a DNS-1123 subdomain of at most 253 characters. */
    static String requireNodeName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("the virtual node needs a name, e.g. ferry-vk");
        }
        if (name.length() > 253 || !DNS_1123_SUBDOMAIN.matcher(name).matches()) {
            throw new IllegalArgumentException("node name '" + name + "' is not a DNS-1123 subdomain: use at most 253 "
                    + "lower case letters, digits, '-' and '.', starting and ending with a letter or digit "
                    + "(e.g. ferry-vk or ferry-vk.site-a)");
        }
        return name;
    }

    private static void requireIpAddress(String address) {
        String problem = "address '" + address + "' is not an IP address: the node's InternalIP must be one "
                + "(e.g. 127.0.0.1, or the gateway pod's IP)";
        if (!IPV4.matcher(address).matches() && !address.contains(":")) {
            throw new IllegalArgumentException(problem);
        }
        try {
            // a literal only: never a DNS lookup, as both shapes checked above are literals or invalid
            InetAddress.getByName(address);
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException(problem);
        }
        if (IPV4.matcher(address).matches()) {
            for (String part : address.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException(problem);
                }
            }
        }
    }

    private static void requireLabel(String key, String value) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_1123_SUBDOMAIN.matcher(prefix).matches()) {
                throw new IllegalArgumentException("extra label key '" + key + "': the prefix before '/' must be a "
                        + "DNS-1123 subdomain, e.g. example.com/tier");
            }
        }
        if (name.isEmpty() || name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("extra label key '" + key + "' is not a valid label name: at most 63 "
                    + "letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
        }
        if (value == null || value.length() > 63 || !value.isEmpty() && !LABEL_NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("extra label " + key + "='" + value + "': a label value has at most 63 "
                    + "letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or is empty)");
        }
    }

    private static void requireAtLeast(String what, Duration value, Duration minimum) {
        Objects.requireNonNull(value, what);
        if (value.compareTo(minimum) < 0) {
            throw new IllegalArgumentException(what + " must be at least " + minimum + ", was " + value);
        }
    }
}
