package dev.ferry.gateway.logs;

import dev.ferry.events.LogChunk;
import dev.ferry.schema.Topic;
import dev.ferry.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Container output read back from {@code pod-logs}. Each request gets its own consumer (no group, nothing committed)
 * on the one partition that holds the pod's records: the partition Kafka's default partitioner picks for the key bytes
 * that topic's key serde makes of the pod UID (murmur2, as the executors' producers did). It reads from the start of
 * the partition (or from the first record at {@code since}, by {@code offsetsForTimes}), keeps the pod's key and the
 * container asked for, drops bytes already seen by their stream offset, keeps the highest attempt, and when following
 * goes on polling until the container's streams end or the client leaves.
 *
 * <p>Until a request has caught up with what the partition held when it opened, lines are held back (so a higher
 * attempt found later in the backlog replaces an earlier one before anything is sent); past 32 MiB of
 * backlog they are sent on, and a later attempt then follows them.
 */
public final class KafkaLogSource implements LogSource {

    static final long BACKLOG_LIMIT_BYTES = 32L * 1024 * 1024;
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(15);
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLogSource.class);
    private static final AtomicLong CONSUMERS = new AtomicLong();

    private final Map<String, Object> consumerConfig;
    private final Topic<String, LogChunk> topic;
    private final PodLookup lookup;
    private final Deserializer<LogChunk> values;

    /**
     * @param consumerConfig Kafka consumer settings: at least {@code bootstrap.servers}, plus security settings;
     *                       group and deserializers are set here
     * @param topics         Ferry's topics; {@code pod-logs} and its serdes are taken from it
     * @param lookup         maps a pod's namespace and name to its UID
     */
    public KafkaLogSource(Map<String, Object> consumerConfig, Topics topics, PodLookup lookup) {
        Objects.requireNonNull(consumerConfig, "consumerConfig");
        if (!consumerConfig.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalArgumentException("the log reader's consumer config needs "
                    + ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG + " (the Kafka cluster the executors ship logs to)");
        }
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerConfig = Map.copyOf(config);
        this.topic = Objects.requireNonNull(topics, "topics").podLogs();
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.values = topic.valueSerde().deserializer();
    }

    @Override
    public LogCursor open(LogTarget target, LogQuery query) throws LogNotFoundException {
        String uid = lookup.uid(target.namespace(), target.pod()).orElseThrow(() -> LogNotFoundException.pod(target));
        Set<String> containers = lookup.containers(target.namespace(), target.pod()).orElse(null);
        if (containers != null && !containers.contains(target.container())) {
            throw LogNotFoundException.container(target);
        }
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "ferry-gateway-logs");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, config.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-"
                + CONSUMERS.incrementAndGet());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        try {
            byte[] key = topic.keySerde().serializer().serialize(topic.name(), uid);
            TopicPartition partition = new TopicPartition(topic.name(), partitionFor(consumer, key));
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), METADATA_TIMEOUT).get(partition);
            if (query.since().isPresent()) {
                OffsetAndTimestamp first = consumer.offsetsForTimes(
                        Map.of(partition, query.since().get().toEpochMilli()), METADATA_TIMEOUT).get(partition);
                consumer.seek(partition, first == null ? end : first.offset());
            } else {
                consumer.seekToBeginning(List.of(partition));
            }
            LOG.debug("reading the log of {} (uid {}) from {} up to offset {} to catch up", target, uid, partition, end);
            return new Cursor(consumer, partition, key, end, target, query.follow());
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** As Kafka's default partitioner places a keyed record: murmur2 of the key bytes, modulo the partition count. */
    private int partitionFor(KafkaConsumer<byte[], byte[]> consumer, byte[] key) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(), METADATA_TIMEOUT);
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic.name() + " does not exist: create Ferry's topics "
                    + "(ferry topics apply) before reading logs");
        }
        return partitionFor(key, partitions.size());
    }

    static int partitionFor(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    private LogChunk decode(ConsumerRecord<byte[], byte[]> record) {
        // one deserializer shared by every request; Kafka does not promise that deserializers are thread-safe
        synchronized (values) {
            return values.deserialize(record.topic(), record.headers(), record.value());
        }
    }

    /** One request's reader: its own consumer, assigned to the pod's partition. */
    private final class Cursor implements LogCursor {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final TopicPartition partition;
        private final byte[] key;
        private final long catchUpTo;
        private final LogTarget target;
        private final boolean follow;
        private final ChunkAssembler assembler;
        private final List<LogLine> backlog = new ArrayList<>();
        private long backlogBytes;
        private boolean caughtUp;
        private boolean warnedUndecodable;

        Cursor(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, byte[] key, long catchUpTo,
               LogTarget target, boolean follow) {
            this.consumer = consumer;
            this.partition = partition;
            this.key = key;
            this.catchUpTo = catchUpTo;
            this.target = target;
            this.follow = follow;
            this.assembler = new ChunkAssembler(target.container());
        }

        @Override
        public LogBatch next(Duration wait) throws InterruptedException {
            try {
                return read(wait);
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                throw new InterruptedException("reading the log of " + target + " was interrupted");
            }
        }

        private LogBatch read(Duration wait) {
            if (assembler.ended()) {
                return new LogBatch(drainBacklog(), true, true);
            }
            List<LogLine> lines = new ArrayList<>();
            if (caughtUp || consumer.position(partition) < catchUpTo) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
                    if (record.key() == null || !Arrays.equals(record.key(), key) || record.value() == null) {
                        continue;
                    }
                    LogChunk chunk;
                    try {
                        chunk = decode(record);
                    } catch (RuntimeException e) {
                        if (!warnedUndecodable) {
                            warnedUndecodable = true;
                            LOG.warn("log of {}: record {} at offset {} cannot be decoded, skipped ({})", target,
                                    partition, record.offset(), e.toString());
                        }
                        continue;
                    }
                    ChunkAssembler.Accepted accepted = assembler.accept(chunk);
                    if (accepted.reset() && !caughtUp) {
                        backlog.clear(); // an earlier attempt's lines, never sent: the latest attempt is what counts
                        backlogBytes = 0;
                    }
                    for (LogLine line : accepted.lines()) {
                        if (caughtUp) {
                            lines.add(line);
                        } else {
                            backlog.add(line);
                            backlogBytes += line.bytes().length;
                        }
                    }
                }
            }
            boolean ended = assembler.ended();
            if (!caughtUp && (ended || consumer.position(partition) >= catchUpTo)) {
                caughtUp = true;
                List<LogLine> all = drainBacklog();
                if (!follow && !ended) {
                    all.addAll(assembler.partials());
                }
                return new LogBatch(all, true, ended);
            }
            if (!caughtUp) {
                return new LogBatch(backlogBytes > BACKLOG_LIMIT_BYTES ? drainBacklog() : List.of(), false, false);
            }
            return new LogBatch(lines, true, ended);
        }

        private List<LogLine> drainBacklog() {
            List<LogLine> lines = new ArrayList<>(backlog);
            backlog.clear();
            backlogBytes = 0;
            return lines;
        }

        @Override
        public void close() {
            try {
                consumer.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                LOG.debug("closing the log consumer of {}: {}", target, e.toString());
            }
        }
    }
}
