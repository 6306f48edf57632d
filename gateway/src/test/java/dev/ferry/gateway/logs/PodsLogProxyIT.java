package dev.ferry.gateway.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.apiserver.DevApiServerExtension;
import dev.ferry.gateway.node.NodeKeeper;
import dev.ferry.gateway.node.NodeSettings;
import dev.ferry.gateway.node.PoolCapacity;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code kubectl logs} end to end: fabric8 asks the development API server for {@code pods/log}, which proxies to the
 * kubelet endpoint the node keeper registered ({@code status.daemonEndpoints.kubeletEndpoint.Port}), served here.
 */
@ExtendWith(DevApiServerExtension.class)
class PodsLogProxyIT {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final LogTarget HELLO = new LogTarget("default", "hello", "main");

    @Test
    void podsLogReachesTheVirtualNodesKubeletEndpoint(DevApiServer api) throws Exception {
        MemoryLogSource source = new MemoryLogSource();
        source.add(HELLO, LogLine.of(T0.plusSeconds(1), "one\n"), LogLine.of(T0.plusSeconds(2), "two\n"));
        try (KubeletLogServer server = new KubeletLogServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                source).start();
             KubernetesClient client = client(api);
             NodeKeeper keeper = node(client, server.port())) {
            keeper.start();
            createHello(client);

            assertThat(client.pods().inNamespace("default").withName("hello").getLog()).isEqualTo("one\ntwo\n");
            assertThat(client.pods().inNamespace("default").withName("hello").tailingLines(1).getLog())
                    .isEqualTo("two\n");
            assertThat(client.pods().inNamespace("default").withName("hello").usingTimestamps().getLog())
                    .startsWith("2026-03-01T12:00:01.000000000Z one\n");
            assertThat(client.pods().inNamespace("default").withName("hello").limitBytes(5).getLog())
                    .isEqualTo("one\nt");

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (LogWatch watch = client.pods().inNamespace("default").withName("hello").watchLog(out)) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n"));
                source.add(HELLO, LogLine.of(T0.plusSeconds(3), "three\n"));
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwo\nthree\n"));
                source.end(HELLO);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(source.cursors).allSatisfy(c -> assertThat(c.closed).isTrue()));
            }
            assertThat(source.cursors).extracting(c -> c.query.follow()).containsExactly(false, false, false, false,
                    true);
        }
    }

    @Test
    void overHttpsWithTheSelfSignedCertificateAsKubeApiserverSpeaksToKubelets(DevApiServer api) throws Exception {
        MemoryLogSource source = new MemoryLogSource().add(HELLO, LogLine.of(T0, "over tls\n"));
        source.end(HELLO);
        try (KubeletLogServer server = new KubeletLogServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                source).withTls(KubeletCertificates.selfSigned(List.of("ferry-vk"), "127.0.0.1")).start();
             KubernetesClient client = client(api);
             NodeKeeper keeper = node(client, server.port())) {
            keeper.start();
            createHello(client);

            assertThat(client.pods().inNamespace("default").withName("hello").getLog()).isEqualTo("over tls\n");
            // and it really is TLS: a plain HTTP request gets no log
            HttpClient plain = HttpClient.newHttpClient();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/containerLogs/default/hello/main")).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void previousIsRefusedWithTheKubeletsMessage(DevApiServer api) throws Exception {
        MemoryLogSource source = new MemoryLogSource().add(HELLO, LogLine.of(T0, "one\n"));
        try (KubeletLogServer server = new KubeletLogServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                source).start();
             KubernetesClient client = client(api);
             NodeKeeper keeper = node(client, server.port())) {
            keeper.start();
            createHello(client);

            assertThatThrownBy(() -> client.pods().inNamespace("default").withName("hello").terminated().getLog())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(400);
                        assertThat(e.getMessage()).contains("ask without --previous");
                    });
        }
    }

    /** The virtual node "ferry-vk", whose kubelet endpoint is the log server on {@code port}. */
    private static NodeKeeper node(KubernetesClient client, int port) {
        return new NodeKeeper(client, NodeSettings.defaults("ferry-vk").withAddress("127.0.0.1", port), new PoolCapacity(),
                Clock.systemUTC());
    }

    /** Pod default/hello with container "main", bound to ferry-vk. */
    private static void createHello(KubernetesClient client) {
        client.pods().resource(new PodBuilder().withNewMetadata().withName("hello").endMetadata()
                .withNewSpec().withNodeName("ferry-vk").addNewContainer().withName("main").withImage("busybox:1.36")
                .endContainer().endSpec().build()).create();
    }

    private static KubernetesClient client(DevApiServer api) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(api.url()).withNamespace("default")
                .withOnlyHttpWatches(true).withRequestRetryBackoffLimit(0).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
