package dev.ferry.cli;

import static dev.ferry.cli.CliRun.ferry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.devkit.junit.KafkaExtension;
import dev.ferry.devkit.junit.TestNames;
import dev.ferry.devkit.kafka.KafkaBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaExtension.class)
class TopicsApplyIT {

    private static final List<String> SUFFIXES =
            List.of("pod-intents", "pools", "pod-status", "decisions", "pod-logs", "dead-letters", "jobs.a");

    @Test
    void createsEveryTopicOnceAndThenFindsThemUnchanged(KafkaBroker kafka) throws Exception {
        String prefix = TestNames.unique("cli") + ".";
        String[] args = {"topics", "apply", "--bootstrap-servers", kafka.bootstrapServers(),
                "--set", "ferry.topic.prefix=" + prefix, "--site", "a"};

        CliRun first = ferry(args);

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(lines(first.out(), "created")).containsExactlyInAnyOrderElementsOf(names(prefix));
        assertThat(first.out()).contains("7 topics: 7 created, 0 updated, 0 unchanged on Kafka at "
                + kafka.bootstrapServers());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<String, TopicDescription> topics = admin.describeTopics(names(prefix)).allTopicNames().get();
            assertThat(topics).hasSize(7);
            assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(6));
        }

        CliRun second = ferry(args);

        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(lines(second.out(), "unchanged")).containsExactlyInAnyOrderElementsOf(names(prefix));
        assertThat(second.out()).contains("7 topics: 0 created, 0 updated, 7 unchanged");
    }

    @Test
    void updatesWhatDiffersFromTheSettings(KafkaBroker kafka) {
        String prefix = TestNames.unique("cli") + ".";
        String bootstrap = kafka.bootstrapServers();
        assertThat(ferry("topics", "apply", "-b", bootstrap, "--set", "ferry.topic.prefix=" + prefix,
                "--set", "ferry.topic.partitions=2").exitCode()).isZero();

        CliRun grown = ferry(Map.of("FERRY_TOPIC_PREFIX", prefix), "topics", "apply", "-b", bootstrap,
                "--set", "ferry.topic.partitions=3", "--set", "ferry.topic.logs-retention=2d");

        assertThat(grown.exitCode()).as(grown.err()).isZero();
        assertThat(grown.out())
                .contains("updated   " + prefix + "pod-logs  (partitions 2 -> 3; retention.ms 86400000 -> 172800000)")
                .contains("6 topics: 0 created, 6 updated, 0 unchanged");
    }

    private static List<String> names(String prefix) {
        return SUFFIXES.stream().map(s -> prefix + s).toList();
    }

    /** The topic names of the output lines that start with {@code kind}. */
    private static List<String> lines(String out, String kind) {
        return out.lines().filter(l -> l.startsWith(kind + " ")).map(l -> l.substring(kind.length()).strip().split("\\s+")[0])
                .toList();
    }
}
