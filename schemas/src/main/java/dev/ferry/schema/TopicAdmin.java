package dev.ferry.schema;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates or updates Ferry's topics so they match the {@link Topics} registry, idempotently, and
 * says what it changed. Partitions only ever grow (shrinking would re-key pods onto other
 * partitions); a topic with more partitions than configured is reported, not touched.
 */
public final class TopicAdmin implements AutoCloseable {
    private final Admin admin;
    private final String bootstrapServers;
    private final Duration timeout;

    public TopicAdmin(Admin admin, String bootstrapServers, Duration timeout) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /** An admin client that gives up after {@code timeout} instead of retrying forever against a dead broker. */
    public static TopicAdmin connect(String bootstrapServers, Duration timeout, Map<String, Object> extraConfig) {
        Properties props = new Properties();
        props.putAll(extraConfig);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int ms = (int) Math.max(1_000, timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, Math.min(ms, 10_000));
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, Math.min(ms, 10_000));
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "ferry-topics");
        return new TopicAdmin(Admin.create(props), bootstrapServers, timeout);
    }

    /** What happened to one topic. */
    public enum ChangeKind { CREATED, UPDATED, UNCHANGED }

    /** One topic's outcome and the details of what differed. */
    public record TopicChange(String topic, ChangeKind kind, List<String> details) {
        @Override
        public String toString() {
            return String.format("%-9s %s%s", kind.name().toLowerCase(), topic, details.isEmpty() ? "" : "  (" + String.join("; ", details) + ")");
        }
    }

    public List<TopicChange> apply(Collection<Topic<?, ?>> topics) {
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        List<TopicChange> changes = new ArrayList<>();
        List<NewTopic> toCreate = new ArrayList<>();
        for (Topic<?, ?> topic : topics) {
            if (!existing.contains(topic.name())) {
                NewTopic newTopic = new NewTopic(topic.name(), Optional.of(topic.partitions()), topic.replicationFactor());
                newTopic.configs(topic.configs());
                toCreate.add(newTopic);
                changes.add(new TopicChange(topic.name(), ChangeKind.CREATED,
                        List.of(topic.partitions() + " partitions", "cleanup.policy=" + topic.cleanupPolicy().configValue())));
            }
        }
        Set<String> createdElsewhere = new java.util.HashSet<>();
        if (!toCreate.isEmpty()) {
            admin.createTopics(toCreate).values().forEach((name, future) -> {
                try {
                    await(future, "create topic " + name);
                } catch (KafkaUnavailableException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    createdElsewhere.add(name); // another apply won the race: check it like any existing topic
                }
            });
            changes.removeIf(c -> createdElsewhere.contains(c.topic()));
        }
        List<Topic<?, ?>> present = topics.stream()
                .filter(t -> existing.contains(t.name()) || createdElsewhere.contains(t.name())).toList();
        if (present.isEmpty()) {
            return changes;
        }
        // a topic just created (by us a moment ago, or by a racing apply) is listed before every broker
        // serves its metadata: describing it may answer "unknown topic" for a short while
        Map<String, TopicDescription> descriptions = untilKnown(() -> await(
                admin.describeTopics(present.stream().map(Topic::name).toList()).allTopicNames(), "describe topics"));
        List<ConfigResource> resources = present.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
        Map<ConfigResource, Config> configs = untilKnown(() -> await(admin.describeConfigs(resources).all(), "describe topic configs"));

        Map<String, NewPartitions> grow = new HashMap<>();
        Map<ConfigResource, Collection<AlterConfigOp>> alter = new HashMap<>();
        for (Topic<?, ?> topic : present) {
            List<String> details = new ArrayList<>();
            int partitions = descriptions.get(topic.name()).partitions().size();
            if (partitions < topic.partitions()) {
                grow.put(topic.name(), NewPartitions.increaseTo(topic.partitions()));
                details.add("partitions " + partitions + " -> " + topic.partitions());
            } else if (partitions > topic.partitions()) {
                details.add("has " + partitions + " partitions, more than the configured " + topic.partitions() + "; left as is");
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
            Config current = configs.get(resource);
            List<AlterConfigOp> ops = new ArrayList<>();
            topic.configs().forEach((key, wanted) -> {
                ConfigEntry entry = current.get(key);
                String actual = entry == null ? null : entry.value();
                if (!wanted.equals(actual)) {
                    ops.add(new AlterConfigOp(new ConfigEntry(key, wanted), AlterConfigOp.OpType.SET));
                    details.add(key + " " + actual + " -> " + wanted);
                }
            });
            if (!ops.isEmpty()) {
                alter.put(resource, ops);
            }
            boolean changed = grow.containsKey(topic.name()) || !ops.isEmpty();
            changes.add(new TopicChange(topic.name(), changed ? ChangeKind.UPDATED : ChangeKind.UNCHANGED, List.copyOf(details)));
        }
        if (!grow.isEmpty()) {
            await(admin.createPartitions(grow).all(), "add partitions");
        }
        if (!alter.isEmpty()) {
            await(admin.incrementalAlterConfigs(alter).all(), "update topic configs");
        }
        return changes;
    }

    private <T> T untilKnown(java.util.function.Supplier<T> call) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return call.get();
            } catch (KafkaUnavailableException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private <T> T await(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while trying to " + what + " on Kafka at " + bootstrapServers, e);
        } catch (TimeoutException e) {
            throw new KafkaUnavailableException("cannot " + what + ": no answer from Kafka at " + bootstrapServers
                    + " within " + timeout.toSeconds() + "s; is the broker running and is the bootstrap address right?", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new KafkaUnavailableException("cannot " + what + ": no answer from Kafka at " + bootstrapServers
                        + " within " + timeout.toSeconds() + "s; is the broker running and is the bootstrap address right?", cause);
            }
            throw new KafkaUnavailableException("cannot " + what + " on Kafka at " + bootstrapServers + ": " + cause.getMessage(), cause);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }

    /** Kafka did not answer or refused; the message names the bootstrap address. */
    public static final class KafkaUnavailableException extends RuntimeException {
        public KafkaUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
