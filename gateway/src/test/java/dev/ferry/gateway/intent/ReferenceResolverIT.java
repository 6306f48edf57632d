package dev.ferry.gateway.intent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.apiserver.DevApiServer;
import dev.ferry.devkit.apiserver.DevApiServerExtension;
import dev.ferry.events.PodIntent;
import dev.ferry.gateway.intent.ReferenceResolver.MissingReferenceException;
import dev.ferry.gateway.intent.ReferenceResolver.Resolved;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The resolver against the development API server: real GETs, real 404s, objects created while it waits. */
@ExtendWith(DevApiServerExtension.class)
class ReferenceResolverIT {

    private KubernetesClient client;

    @BeforeEach
    void connect(DevApiServer api) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(api.url()).withNamespace("default")
                .withOnlyHttpWatches(true).withRequestRetryBackoffLimit(0).build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    /** The rich pod, moved to namespace default. */
    private static Pod richPod() {
        Pod pod = TestPods.rich();
        pod.getMetadata().setNamespace("default");
        return pod;
    }

    private static Pod needingSecret(String secret) {
        return new PodBuilder(TestPods.minimal("p").build()).editSpec().editFirstContainer()
                .addNewEnv().withName("DB_PASSWORD").withNewValueFrom().withNewSecretKeyRef().withName(secret)
                .withKey("password").endSecretKeyRef().endValueFrom().endEnv()
                .endContainer().endSpec().build();
    }

    @Test
    void findsTheConfigMapsAndSecretsAPodUses() throws Exception {
        client.configMaps().resource(TestPods.appConfig("default")).create();
        client.secrets().resource(TestPods.dbCreds("default")).create();

        Resolved resolved = new ReferenceResolver(client, Duration.ofSeconds(5)).resolve(richPod());

        assertThat(resolved.configMaps()).containsOnlyKeys("app-config");
        assertThat(resolved.secrets()).containsOnlyKeys("db-creds");
        assertThat(resolved.configMap("app-config")).hasValueSatisfying(cm ->
                assertThat(cm.getData()).containsEntry("log.level", TestPods.LOG_LEVEL));
        // and the intent built from the server's objects carries them (sealed where secret)
        PodIntent intent = PodIntents.create(richPod(), resolved, TestPods.sealer(), "ferry-node", "gw", Instant.now());
        assertThat(PodIntentsTest.env(intent.getSpec().getContainers().get(0)))
                .contains("LEVEL=" + TestPods.LOG_LEVEL, "DB_PASSWORD=sealed:" + TestPods.PASSWORD);
    }

    @Test
    void waitsForASecretCreatedAfterItLooked() throws Exception {
        AtomicInteger missedPasses = new AtomicInteger();
        // counts the passes that found something missing, then waits as in production
        ReferenceResolver resolver = new ReferenceResolver(client, Duration.ofSeconds(30), java.time.Clock.systemUTC(),
                d -> {
                    missedPasses.incrementAndGet();
                    ReferenceResolver.THREAD_SLEEP.sleep(d);
                });
        CompletableFuture<Resolved> result = CompletableFuture.supplyAsync(() -> {
            try {
                return resolver.resolve(needingSecret("late"));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> missedPasses.get() >= 1);
        assertThat(result).isNotDone();
        client.secrets().resource(new SecretBuilder().withNewMetadata().withName("late").endMetadata()
                .addToData("password", TestPods.b64(TestPods.PASSWORD)).build()).create();

        Resolved resolved = result.get(10, TimeUnit.SECONDS);
        assertThat(resolved.secret("late")).isPresent();
        assertThat(Payloads.secretData(resolved.secret("late").orElseThrow()).get("password"))
                .asString().isEqualTo(TestPods.PASSWORD);
    }

    @Test
    void failsAfterWaitForNamingTheMissingSecret() {
        ReferenceResolver resolver = new ReferenceResolver(client, Duration.ofSeconds(1));
        long start = System.nanoTime();

        assertThatThrownBy(() -> resolver.resolve(needingSecret("db-pass")))
                .isInstanceOfSatisfying(MissingReferenceException.class, e -> {
                    assertThat(e.kind()).isEqualTo("secret");
                    assertThat(e.name()).isEqualTo("db-pass");
                    assertThat(e.namespace()).isEqualTo("default");
                    assertThat(e.key()).isEmpty();
                    assertThat(e.referrers()).containsExactly("env DB_PASSWORD of container \"main\"");
                })
                .hasMessage("secret \"db-pass\" not found in namespace \"default\" (env DB_PASSWORD of container \"main\"; waited 1 s)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aMissingKeyInAnExistingSecretIsNamed() {
        client.secrets().resource(new SecretBuilder().withNewMetadata().withName("db-pass").endMetadata()
                .addToData("user", TestPods.b64("bob")).build()).create();

        assertThatThrownBy(() -> new ReferenceResolver(client, Duration.ZERO).resolve(needingSecret("db-pass")))
                .isInstanceOfSatisfying(MissingReferenceException.class, e -> assertThat(e.key()).hasValue("password"))
                .hasMessage("key \"password\" not found in secret \"db-pass\" in namespace \"default\" "
                        + "(env DB_PASSWORD of container \"main\"; waited 0 s)");
    }

    @Test
    void missingOptionalReferencesAreFine() throws Exception {
        Pod pod = new PodBuilder(TestPods.minimal("p").build()).editSpec().editFirstContainer()
                .addNewEnv().withName("A").withNewValueFrom().withNewConfigMapKeyRef().withName("absent-cm").withKey("a")
                .withOptional(true).endConfigMapKeyRef().endValueFrom().endEnv()
                .addNewEnvFrom().withNewSecretRef().withName("absent-secret").withOptional(true).endSecretRef().endEnvFrom()
                .endContainer()
                .addNewVolume().withName("v").withNewSecret().withSecretName("absent-secret").withOptional(true).endSecret()
                .endVolume()
                .endSpec().build();
        AtomicInteger waits = new AtomicInteger();
        ReferenceResolver resolver = new ReferenceResolver(client, Duration.ofSeconds(30), java.time.Clock.systemUTC(),
                d -> {
                    waits.incrementAndGet();
                    ReferenceResolver.THREAD_SLEEP.sleep(d);
                });

        Resolved resolved = resolver.resolve(pod);

        // one look, no waiting
        assertThat(waits).hasValue(0);
        assertThat(resolved.configMaps()).isEmpty();
        assertThat(resolved.secrets()).isEmpty();
        PodIntent intent = PodIntents.create(pod, resolved, TestPods.sealer(), "ferry-node", "gw", Instant.now());
        assertThat(intent.getSpec().getContainers().get(0).getEnv()).isEmpty();
        assertThat(intent.getSpec().getVolumes().get(0).getFiles()).isEmpty();
    }
}
