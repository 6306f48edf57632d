package dev.ferry.gateway;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kubernetes clients as the gateway uses them: watches over plain HTTP streaming (works with every API server,
 * including the development one, which has no WebSocket), no retries inside the client, and the fabric8 defaults
 * otherwise.
 */
public final class KubeClients {

    private KubeClients() {
    }

    /**
     * A client from {@code kubeconfig}, or, when null, the way kubectl finds one: {@code $KUBECONFIG},
     * {@code ~/.kube/config}, or the in-cluster service account.
     */
    public static KubernetesClient create(Path kubeconfig) {
        Config base;
        if (kubeconfig == null) {
            base = Config.autoConfigure(null);
        } else {
            if (!Files.isReadable(kubeconfig)) {
                throw new UncheckedIOException(new IOException("cannot read the kubeconfig " + kubeconfig
                        + " (" + kubeconfig.toAbsolutePath() + ")"));
            }
            base = Config.fromKubeconfig(null, kubeconfig.toFile());
        }
        // no retries inside the client: the status writer retries with its own backoff (and re-reads on 409), and
        // informers re-list and re-watch by themselves; fabric8's retries would stack on top of both
        Config config = new ConfigBuilder(base).withOnlyHttpWatches(true).withRequestRetryBackoffLimit(0).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
