package dev.ferry.devkit.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;

/**
 * Waits until a broker accepts TCP connections on its first bootstrap address, then until it answers a metadata
 * request (AdminClient describeCluster) with at least one node.
 */
final class BrokerReadiness {

    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

    private BrokerReadiness() {
    }

    /**
     * @param stillStarting  checked before each attempt; returns a reason when waiting is pointless (e.g. the
     *                       process died), or null to go on
     * @param diagnostics    appended to the exception, e.g. the tail of a log file
     * @throws IllegalStateException naming the address when the broker is not ready within {@code timeout}
     */
    static void await(String bootstrapServers, Duration timeout, Supplier<String> stillStarting,
                      Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // until the port accepts connections, an AdminClient would log a warning per attempt
        awaitListening(bootstrapServers, deadline, timeout, stillStarting, diagnostics);
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ATTEMPT_TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ATTEMPT_TIMEOUT.toMillis(),
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500,
                AdminClientConfig.CLIENT_ID_CONFIG, "ferry-devkit-readiness"))) {
            while (System.nanoTime() < deadline) {
                String gone = stillStarting.get();
                if (gone != null) {
                    throw new IllegalStateException("Kafka broker at " + bootstrapServers + " will not become ready: "
                            + gone + diagnostics.get());
                }
                try {
                    Collection<Node> nodes = admin.describeCluster().nodes()
                            .get(ATTEMPT_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                    // AdminClient backs off inside an attempt; this only avoids a busy loop on immediate failures
                    TimeUnit.MILLISECONDS.sleep(100);
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka at " + bootstrapServers, e);
                }
            }
        }
        throw new IllegalStateException("Kafka broker at " + bootstrapServers + " was not ready within "
                + timeout.toSeconds() + " s" + (last == null ? "" : " (last error: " + last + ")")
                + diagnostics.get(), last);
    }

    private static void awaitListening(String bootstrapServers, long deadline, Duration timeout,
                                       Supplier<String> stillStarting, Supplier<String> diagnostics) {
        String first = bootstrapServers.split(",")[0].strip();
        int colon = first.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(first.substring(0, colon),
                Integer.parseInt(first.substring(colon + 1)));
        IOException last = null;
        while (System.nanoTime() < deadline) {
            String gone = stillStarting.get();
            if (gone != null) {
                throw new IllegalStateException("Kafka broker at " + bootstrapServers + " will not become ready: "
                        + gone + diagnostics.get());
            }
            try (Socket socket = new Socket()) {
                socket.connect(address, 1_000);
                return;
            } catch (IOException e) {
                last = e;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka at " + bootstrapServers, e);
            }
        }
        throw new IllegalStateException("Kafka broker at " + bootstrapServers + " did not accept connections within "
                + timeout.toSeconds() + " s (" + last + ")" + diagnostics.get(), last);
    }
}
