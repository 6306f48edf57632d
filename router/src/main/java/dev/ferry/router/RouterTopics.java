package dev.ferry.router;

import dev.ferry.schema.CleanupPolicy;
import dev.ferry.schema.Topic;
import dev.ferry.schema.Topics;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The router's own topics, beside the state stores' changelogs that Kafka Streams creates. They carry
 * messages between the two halves of the router, which form a cycle (pods ask pools, pools answer pods) that
 * Kafka Streams' managed repartition topics cannot express, so the router creates them itself at start
 * ({@link RouterApp}). Their names start with the application id, like Kafka Streams' own internal topics, so
 * the same ACL prefix covers them.
 *
 * @param poolInbox {@code <application-id>-pool-inbox}, key pool id: adverts and the routing side's requests
 * @param podInbox  {@code <application-id>-pod-inbox}, key pod UID: the pools' answers. It must have as many
 *                  partitions as {@code pod-intents} and {@code pod-status}, with which it is co-partitioned.
 * @param poolView  {@code <application-id>-pool-view}, key pool id, compacted, one partition: each pool's advert
 *                  and usage, read by every routing task as a global store
 */
public record RouterTopics(Topic<String, PoolMessage> poolInbox, Topic<String, PodMessage> podInbox,
                           Topic<String, byte[]> poolView) {

    /** The router's topics for {@code config}, with partitions and retention from {@code topics}' settings. */
    public static RouterTopics of(RouterConfig config, Topics topics) {
        return of(config, topics, topics.config().partitions());
    }

    /**
     * The router's topics, the pod inbox with {@code podPartitions} partitions: as many as {@code pod-intents}
     * really has, which may differ from the configured count.
     */
    public static RouterTopics of(RouterConfig config, Topics topics, int podPartitions) {
        String prefix = config.applicationId() + "-";
        var settings = topics.config();
        return new RouterTopics(
                new Topic<>(prefix + "pool-inbox", Serdes.String(), RouterCodec.POOL_MESSAGE, settings.partitions(),
                        settings.replicationFactor(), CleanupPolicy.DELETE, Optional.of(settings.retention())),
                new Topic<>(prefix + "pod-inbox", Serdes.String(), RouterCodec.POD_MESSAGE, podPartitions,
                        settings.replicationFactor(), CleanupPolicy.DELETE, Optional.of(settings.retention())),
                new Topic<>(prefix + "pool-view", Serdes.String(), Serdes.ByteArray(), 1,
                        settings.replicationFactor(), CleanupPolicy.COMPACT, Optional.empty()));
    }

    /** All three, for creating them. */
    public List<Topic<?, ?>> all() {
        return List.of(poolInbox, podInbox, poolView);
    }
}
