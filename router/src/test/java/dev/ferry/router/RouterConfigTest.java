package dev.ferry.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.router.model.ScoringPolicy;
import dev.ferry.schema.ConfigException;
import dev.ferry.schema.ConfigValues;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import dev.ferry.router.testing.FixedIdAvroSerde;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class RouterConfigTest {

    @Test
    void defaults() {
        RouterConfig config = RouterConfig.defaults();
        assertThat(config.applicationId()).isEqualTo("ferry-router");
        assertThat(config.scoring()).isEqualTo(ScoringPolicy.SPREAD);
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.ignoredNodeLabels()).contains("kubernetes.io/hostname", "type");
        assertThat(config.inMemoryStores()).isFalse();
        assertThat(config.threads()).isEqualTo(2);
    }

    @Test
    void aBadValueNamesItsKey() {
        assertThatThrownBy(() -> RouterConfig.fromMap(Map.of(RouterConfig.SCORING, "random")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("ferry.router.scoring: must be spread or bin-pack, was 'random'");
        assertThatThrownBy(() -> RouterConfig.fromMap(Map.of(RouterConfig.COMMIT_INTERVAL, "soon")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ferry.router.commit-interval:");
        assertThatThrownBy(() -> RouterConfig.fromMap(Map.of(RouterConfig.APPLICATION_ID, "my router")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ferry.router.application-id:");
        assertThatThrownBy(() -> RouterConfig.fromMap(Map.of(RouterConfig.STORE, "redis")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ferry.router.store:");
        assertThatThrownBy(() -> RouterConfig.fromMap(Map.of(RouterConfig.THREADS, "0")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ferry.router.threads:");
    }

    @Test
    void theEnvironmentAndStreamsSettingsComeThrough() {
        RouterConfig config = RouterConfig.from(ConfigValues.of(Map.of(), Map.of("FERRY_ROUTER_SCORING", "bin-pack")),
                Map.of("ferry.router.streams.num.standby.replicas", "1"));
        assertThat(config.scoring()).isEqualTo(ScoringPolicy.BIN_PACK);

        Topics topics = new Topics(TopicsConfig.defaults(), new EventSerdes(FixedIdAvroSerde.config()));
        Properties props = RouterApp.streamsProperties(config, topics, "kafka:9092");
        assertThat(props).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50")
                .containsEntry("num.standby.replicas", "1");
    }

    @Test
    void routerStoresKeepTheirLastLevelsBloomFiltersUnlessTheOperatorSetsRocksDbUp() {
        Topics topics = new Topics(TopicsConfig.defaults(), new EventSerdes(FixedIdAvroSerde.config()));
        assertThat(RouterApp.streamsProperties(RouterConfig.fromMap(Map.of()), topics, "kafka:9092"))
                .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, RouterRocksDbConfig.class);
        assertThat(RouterApp.streamsProperties(RouterConfig.fromMap(Map.of(
                "ferry.router.streams.rocksdb.config.setter", "com.example.Tuning")), topics, "kafka:9092"))
                .containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, "com.example.Tuning");

        org.rocksdb.RocksDB.loadLibrary();
        try (org.rocksdb.Options options = new org.rocksdb.Options().setOptimizeFiltersForHits(true)) {
            new RouterRocksDbConfig().setConfig(RouterTopology.PODS_STORE, options, Map.of());
            assertThat(options.optimizeFiltersForHits()).isFalse();
        }
    }

    @Test
    void producersBatchUpTo256KbUnlessTheOperatorSaysOtherwise() {
        Topics topics = new Topics(TopicsConfig.defaults(), new EventSerdes(FixedIdAvroSerde.config()));
        assertThat(RouterApp.streamsProperties(RouterConfig.fromMap(Map.of()), topics, "kafka:9092"))
                .containsEntry("producer.batch.size", "262144");
        assertThat(RouterApp.streamsProperties(RouterConfig.fromMap(Map.of(
                "ferry.router.streams.producer.batch.size", "16384")), topics, "kafka:9092"))
                .containsEntry("producer.batch.size", "16384");
    }
}
