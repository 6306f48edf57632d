package dev.ferry.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import dev.ferry.schema.TopicAdmin.ChangeKind;
import dev.ferry.schema.TopicAdmin.TopicChange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class TopicAdminIT {
    private static final EventSerdes SERDES = new EventSerdes(SerdeConfig.forRegistry("http://127.0.0.1:1"));

    @Test
    void applyCreatesThenLeavesAloneThenUpdates(KafkaBroker broker) {
        String prefix = TestNames.unique("admin") + ".";
        Topics v1 = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, prefix, TopicsConfig.PARTITIONS, "2")), SERDES);
        Topics v2 = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, prefix, TopicsConfig.PARTITIONS, "3",
                TopicsConfig.LOGS_RETENTION, "2h")), SERDES);

        try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
            List<TopicChange> first = admin.apply(v1.all(List.of("site-a")));
            List<TopicChange> second = admin.apply(v1.all(List.of("site-a")));
            List<TopicChange> third = admin.apply(v2.all(List.of("site-a", "site-b")));

            assertThat(first).hasSize(7).allSatisfy(c -> assertThat(c.kind()).isEqualTo(ChangeKind.CREATED));
            assertThat(second).hasSize(7).allSatisfy(c -> assertThat(c.kind()).isEqualTo(ChangeKind.UNCHANGED));
            assertThat(third).filteredOn(c -> c.topic().equals(prefix + "jobs.site-b"))
                    .singleElement().extracting(TopicChange::kind).isEqualTo(ChangeKind.CREATED);
            assertThat(third).filteredOn(c -> c.topic().equals(prefix + "pod-logs")).singleElement()
                    .satisfies(c -> assertThat(c.details()).contains("partitions 2 -> 3", "retention.ms 86400000 -> 7200000"));
            // a config change reaches describeConfigs a moment after the broker accepts it; re-applying converges
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(admin.apply(v2.all(List.of("site-a", "site-b"))))
                    .allSatisfy(c -> assertThat(c.kind()).isEqualTo(ChangeKind.UNCHANGED)));
        }
    }

    @Test
    void twoAppliesRacingForTheSameNewTopicsBothSucceed(KafkaBroker broker) throws Exception {
        Topics topics = new Topics(TopicsConfig.fromMap(Map.of(TopicsConfig.PREFIX, TestNames.unique("race") + ".")), SERDES);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Callable<List<TopicChange>> apply = () -> {
                try (TopicAdmin admin = TopicAdmin.connect(broker.bootstrapServers(), Duration.ofSeconds(30), Map.of())) {
                    return admin.apply(topics.all(List.of("site-a")));
                }
            };
            var first = pool.submit(apply);
            var second = pool.submit(apply);

            List<TopicChange> all = new java.util.ArrayList<>(first.get());
            all.addAll(second.get());
            assertThat(all).hasSize(14);
            assertThat(all).filteredOn(c -> c.kind() == ChangeKind.CREATED).hasSize(7)
                    .extracting(TopicChange::topic).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
    }
}
