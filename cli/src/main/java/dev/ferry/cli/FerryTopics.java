package dev.ferry.cli;

import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topic;
import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.TopicAdmin.ChangeKind;
import dev.ferry.schema.TopicAdmin.TopicChange;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Creates or updates the topics Ferry needs for some sites; shared by {@code ferry topics apply} and {@code ferry dev}. */
final class FerryTopics {

    /** Serdes are built on first use, so a registry is never contacted for admin work; any URL will do. */
    private static final EventSerdes ADMIN_ONLY = new EventSerdes(SerdeConfig.forRegistry("http://127.0.0.1:1"));

    private FerryTopics() {
    }

    /** Every topic for {@code sites}: six shared ones and {@code jobs.<site>} per site. */
    static List<Topic<?, ?>> all(TopicsConfig config, Collection<String> sites) {
        return new Topics(config, ADMIN_ONLY).all(sites);
    }

    /**
     * Creates the missing topics and updates the others, idempotently.
     *
     * @throws TopicAdmin.KafkaUnavailableException naming {@code bootstrapServers} when Kafka does not answer
     *                                              within {@code timeout} or refuses
     */
    static List<TopicChange> apply(String bootstrapServers, Duration timeout, TopicsConfig config,
                                   Collection<String> sites) {
        List<Topic<?, ?>> topics = all(config, sites);
        try (TopicAdmin admin = TopicAdmin.connect(bootstrapServers, timeout, Map.of())) {
            return admin.apply(topics);
        }
    }

    /** {@code 7 topics: 7 created, 0 updated, 0 unchanged}. */
    static String summary(List<TopicChange> changes) {
        return changes.size() + " topics: " + count(changes, ChangeKind.CREATED) + " created, "
                + count(changes, ChangeKind.UPDATED) + " updated, " + count(changes, ChangeKind.UNCHANGED)
                + " unchanged";
    }

    private static long count(List<TopicChange> changes, ChangeKind kind) {
        return changes.stream().filter(c -> c.kind() == kind).count();
    }
}
