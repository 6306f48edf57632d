package dev.ferry.devkit.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.io.TempDir;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code pods/log} proxied to the node's kubelet endpoint, read with the real fabric8 client. */
@ExtendWith(DevApiServerExtension.class)
class ApiServerLogsIT {

    @Test
    void logsComeFromTheKubeletEndpointOfThePodsNode(DevApiServer api) throws Exception {
        try (FakeKubelet kubelet = new FakeKubelet(); KubernetesClient client = Fabric8.client(api)) {
            client.nodes().resource(Fabric8.virtualNode("ferry-vk", kubelet.port())).create();
            client.pods().resource(Fabric8.podOn("hello", "ferry-vk")).create();

            String log = client.pods().withName("hello").tailingLines(5).getLog();

            assertThat(log).isEqualTo("hello from default/hello/main\nsecond line\n");
            assertThat(kubelet.requests).containsExactly("/containerLogs/default/hello/main?tailLines=5");
        }
    }

    @Test
    void aKubeletThatSpeaksHttpsIsReadOverHttpsWithoutCheckingItsCertificate(DevApiServer api,
                                                                              @TempDir Path dir) throws Exception {
        try (FakeKubelet kubelet = new FakeKubelet(selfSignedTls(dir)); KubernetesClient client = Fabric8.client(api)) {
            client.nodes().resource(Fabric8.virtualNode("ferry-vk", kubelet.port())).create();
            client.pods().resource(Fabric8.podOn("hello", "ferry-vk")).create();

            assertThat(client.pods().withName("hello").getLog()).isEqualTo("hello from default/hello/main\n"
                    + "second line\n");
            assertThat(client.pods().withName("hello").getLog()).as("the scheme is remembered")
                    .startsWith("hello from");
            assertThat(kubelet.requests).containsExactly("/containerLogs/default/hello/main",
                    "/containerLogs/default/hello/main");
        }
    }

    /** A throw-away self-signed certificate, made with the JDK's keytool. */
    private static SSLContext selfSignedTls(Path dir) throws Exception {
        Path keystore = dir.resolve("kubelet.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-keyalg", "RSA", "-keysize", "2048",
                "-alias", "kubelet", "-dname", "CN=127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        return tls;
    }

    @Test
    void followedLogsStream(DevApiServer api) throws Exception {
        try (FakeKubelet kubelet = new FakeKubelet(); KubernetesClient client = Fabric8.client(api)) {
            client.nodes().resource(Fabric8.virtualNode("ferry-vk", kubelet.port())).create();
            client.pods().resource(Fabric8.podOn("hello", "ferry-vk")).create();
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            try (LogWatch ignored = client.pods().withName("hello").inContainer("main").watchLog(out)) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(out.toString(
                        StandardCharsets.UTF_8)).isEqualTo("hello from default/hello/main\nsecond line\n"));
                kubelet.release();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(out.toString(
                        StandardCharsets.UTF_8)).endsWith("followed line\n"));
            }
            assertThat(kubelet.requests).containsExactly("/containerLogs/default/hello/main?follow=true");
        }
    }

    @Test
    void logsOfAPodThatCannotHaveThemSayWhy(DevApiServer api) throws Exception {
        try (FakeKubelet kubelet = new FakeKubelet(); KubernetesClient client = Fabric8.client(api)) {
            client.nodes().resource(Fabric8.plainNode("no-kubelet")).create();
            client.pods().resource(Fabric8.podOn("nowhere", "no-kubelet")).create();
            client.pods().resource(Fabric8.pod("two").editSpec().withNodeName("no-kubelet").addNewContainer()
                    .withName("side").withImage("x:1").endContainer().endSpec().build()).create();

            assertThatThrownBy(() -> client.pods().withName("nowhere").getLog())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(400);
                        assertThat(e.getMessage()).contains("node no-kubelet has no kubelet endpoint");
                    });
            assertThatThrownBy(() -> client.pods().withName("two").getLog())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getMessage())
                            .contains("a container name must be specified for pod two, choose one of: [main, side]"));
            assertThatThrownBy(() -> client.pods().withName("nowhere").inContainer("nope").getLog())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getMessage())
                            .contains("container nope is not valid for pod nowhere"));
            assertThat(kubelet.requests).isEmpty();
        }
    }
}
