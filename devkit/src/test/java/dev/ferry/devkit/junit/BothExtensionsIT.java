package dev.ferry.devkit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.devkit.registry.SchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({KafkaExtension.class, RegistryExtension.class})
class BothExtensionsIT {

    private static KafkaBroker kafkaInBeforeAll;

    @BeforeAll
    static void lifecycleMethodsGetParametersToo(KafkaBroker kafka) {
        kafkaInBeforeAll = kafka;
    }

    @Test
    void oneTestGetsABrokerAndARegistry(KafkaBroker kafka, SchemaRegistry registry) throws Exception {
        assertThat(kafka).as("one broker per test run").isSameAs(kafkaInBeforeAll);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
        }
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/health/ready"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }
}
