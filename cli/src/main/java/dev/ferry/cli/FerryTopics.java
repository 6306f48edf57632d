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
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Creates or updates the topics Ferry needs for some sites; shared by {@code ferry topics apply} and {@code ferry dev}. */
final class FerryTopics {

    /**
     * Topic names and settings do not depend on the serdes, and creating topics never uses them, but {@link Topics}
     * builds them eagerly: Apicurio's would start a Vert.x instance (threads, a warning on the console) for nothing.
     * Byte-array serdes stand in for them; these {@link Topic}s are for admin work only, never for records.
     */
    private static final SerdeConfig NO_SERDES = new SerdeConfig("http://127.0.0.1:1",
            ByteArraySerializer.class.getName(), ByteArrayDeserializer.class.getName(), false, Map.of());

    private static final int EXISTS_RETRIES = 5;

    private FerryTopics() {
    }

    /** Every topic for {@code sites}: six shared ones and {@code jobs.<site>} per site. */
    static List<Topic<?, ?>> all(TopicsConfig config, Collection<String> sites) {
        return new Topics(config, new EventSerdes(NO_SERDES)).all(sites);
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
        // TopicAdmin bounds the connection setup's maximum by the timeout; the initial value must not exceed it
        long setupMs = Math.max(1_000, Math.min(timeout.toMillis(), 10_000));
        Map<String, Object> extra = Map.of(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, setupMs);
        try (TopicAdmin admin = TopicAdmin.connect(bootstrapServers, timeout, extra)) {
            for (int attempt = 1; ; attempt++) {
                try {
                    return admin.apply(topics);
                } catch (TopicAdmin.KafkaUnavailableException e) {
                    // a topic that listTopics did not show yet already existed: created in between by someone
                    // else, or so recently that the broker's metadata lags behind. Compare again, shortly after.
                    if (!(e.getCause() instanceof TopicExistsException) || attempt == EXISTS_RETRIES) {
                        throw e;
                    }
                    pause(Duration.ofMillis(200L * attempt), e);
                }
            }
        }
    }

    private static void pause(Duration pause, RuntimeException cause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cause;
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
