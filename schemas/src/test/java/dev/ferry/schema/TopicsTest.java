package dev.ferry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicsTest {
    private static final EventSerdes SERDES = new EventSerdes(SerdeConfig.forRegistry("http://127.0.0.1:1"));

    @Test
    void defaultTopicsFollowTheDesignTable() {
        Topics topics = new Topics(TopicsConfig.defaults(), SERDES);

        assertThat(topics.all(List.of("hpc-b", "hpc-a")))
                .extracting(Topic::name)
                .containsExactly("ferry.pod-intents", "ferry.pools", "ferry.pod-status", "ferry.decisions",
                        "ferry.pod-logs", "ferry.dead-letters", "ferry.jobs.hpc-a", "ferry.jobs.hpc-b");
        assertThat(topics.pools().cleanupPolicy()).isEqualTo(CleanupPolicy.COMPACT);
        assertThat(topics.pools().configs()).containsEntry("cleanup.policy", "compact").doesNotContainKey("retention.ms");
        assertThat(topics.podLogs().configs()).containsEntry("retention.ms", Long.toString(Duration.ofDays(1).toMillis()));
        assertThat(topics.podIntents().configs()).containsEntry("cleanup.policy", "delete");
        assertThat(topics.podIntents().replicationFactor()).isEmpty();
    }

    @Test
    void prefixPartitionsAndRetentionComeFromConfiguration() {
        TopicsConfig config = TopicsConfig.fromMap(Map.of(
                TopicsConfig.PREFIX, "prod.ferry.",
                TopicsConfig.PARTITIONS, "12",
                TopicsConfig.REPLICATION_FACTOR, "3",
                TopicsConfig.LOGS_RETENTION, "6h"));
        Topics topics = new Topics(config, SERDES);

        assertThat(topics.jobs("site-a").name()).isEqualTo("prod.ferry.jobs.site-a");
        assertThat(topics.podStatus().partitions()).isEqualTo(12);
        assertThat(topics.podStatus().replicationFactor()).isEqualTo(Optional.of((short) 3));
        assertThat(topics.podLogs().retention()).contains(Duration.ofHours(6));
    }

    @Test
    void theEnvironmentOverridesTheFile() {
        TopicsConfig config = TopicsConfig.from(ConfigValues.of(
                Map.of(TopicsConfig.PREFIX, "file."), Map.of("FERRY_TOPIC_PREFIX", "env.")));

        assertThat(config.prefix()).isEqualTo("env.");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> TopicsConfig.fromMap(Map.of(TopicsConfig.PARTITIONS, "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ferry.topic.partitions")
                .hasMessageContaining("'many'");
        assertThatThrownBy(() -> TopicsConfig.fromMap(Map.of(TopicsConfig.PARTITIONS, "0")))
                .hasMessageContaining("ferry.topic.partitions: must be between 1");
        assertThatThrownBy(() -> TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, "ferry/")))
                .hasMessageContaining("ferry.topic.prefix");
        assertThatThrownBy(() -> TopicsConfig.fromMap(Map.of(TopicsConfig.RETENTION, "a week")))
                .hasMessageContaining("ferry.topic.retention: must be a duration");
    }

    @Test
    void aSiteThatCannotBeATopicNameIsRefused() {
        Topics topics = new Topics(TopicsConfig.defaults(), SERDES);

        assertThatThrownBy(() -> topics.jobs("site a; rm -rf /"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("site name 'site a; rm -rf /'");
    }

    @Test
    void registryUrlIsRequiredAndChecked() {
        assertThatThrownBy(() -> SerdeConfig.fromMap(Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ferry.registry.url: is required");
        assertThatThrownBy(() -> SerdeConfig.fromMap(Map.of(SerdeConfig.REGISTRY_URL, "localhost:8080")))
                .hasMessageContaining("http(s) base URL");
        assertThatThrownBy(() -> new EventSerdes(SerdeConfig.fromMap(Map.of(SerdeConfig.REGISTRY_URL, "http://x",
                SerdeConfig.SERIALIZER, "com.example.Missing"))).value(dev.ferry.events.PodIntent.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ferry.serde.serializer: class com.example.Missing is not on the classpath");
    }

    @Test
    void apicurioSettingsAreDerivedAndPassThroughWins() {
        SerdeConfig config = SerdeConfig.fromMap(Map.of(
                SerdeConfig.REGISTRY_URL, "http://registry:8080/",
                "ferry.serde.config.apicurio.registry.retry-count", "5"));

        assertThat(config.serdeProperties())
                .containsEntry("apicurio.registry.url", "http://registry:8080/apis/registry/v3")
                .containsEntry("apicurio.registry.retry-count", "5")
                .containsEntry("apicurio.registry.use-specific-avro-reader", "true")
                .containsEntry("apicurio.registry.avro-datum-provider", CachedAvroDatumProvider.class.getName());
    }
}
