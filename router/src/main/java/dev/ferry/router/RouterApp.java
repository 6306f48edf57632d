package dev.ferry.router;

import dev.ferry.schema.TopicAdmin;
import dev.ferry.schema.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the router: checks Ferry's topics, creates the router's own ({@link RouterTopics}), and starts Kafka
 * Streams with {@code exactly_once_v2}. A stream thread that dies (the schema registry unreachable, say) is
 * replaced, and carries on from the last commit.
 */
public final class RouterApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RouterApp.class);

    private final KafkaStreams streams;
    private final AtomicReference<Throwable> lastError = new AtomicReference<>();
    private final CompletableFuture<KafkaStreams.State> stopped = new CompletableFuture<>();

    private RouterApp(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * The Kafka Streams settings of the router: exactly-once v2, the commit interval, threads, state directory,
     * the dead-letter handlers, then {@code ferry.router.streams.*} overrides.
     */
    public static Properties streamsProperties(RouterConfig config, Topics topics, String bootstrapServers) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitInterval().toMillis()));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(config.threads()));
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        topics.config().replicationFactor().ifPresent(rf -> p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(rf)));
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, RouterErrorHandlers.Deserialization.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, RouterErrorHandlers.Processing.class);
        p.put(RouterErrorHandlers.CONTEXT, new RouterErrorHandlers.Context(topics, RouterTopics.of(config, topics),
                config.applicationId(), Clock.systemUTC()));
        p.put("processing.exception.handler.global.enabled", "true");
        // process whatever is buffered: the routing task reads three topics whose records need no alignment by
        // timestamp (each partition stays in order), and the default's idle check costs a measurable share of the
        // stream thread
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
        // commits come every commit interval (tens of ms), long before uncommitted state could grow large; without
        // the limit the stream thread does not add up every store's uncommitted bytes on each loop (~3 % of its time)
        p.put(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, "-1");
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, RouterRocksDbConfig.class);
        // Streams lingers 100 ms, longer than a commit interval, so batches leave when full or at the commit; with the
        // producer's 16 KB a burst fills one every few dozen records, and each full batch wakes the sender thread (a
        // system call and often a context switch on the stream thread's core). 256 KB makes most batches leave at
        // the commit, as one request per partition: a tenth less stream-thread CPU per intent (RouterBenchmark)
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), Integer.toString(256 * 1024));
        p.putAll(config.streamsOverrides());
        return p;
    }

    /**
     * Prepares the topics and starts the router; returns once Kafka Streams is started (not yet RUNNING: see
     * {@link #ready()}).
     *
     * @throws TopicAdmin.KafkaUnavailableException when Kafka does not answer within {@code timeout}
     * @throws IllegalStateException naming the topic when Ferry's topics are missing or not co-partitioned
     */
    public static RouterApp start(RouterConfig config, Topics topics, String bootstrapServers, Duration timeout) {
        prepareTopics(config, topics, bootstrapServers, timeout);
        KafkaStreams streams = new KafkaStreams(RouterTopology.build(config, topics),
                streamsProperties(config, topics, bootstrapServers));
        RouterApp app = new RouterApp(streams);
        streams.setStateListener((now, before) -> {
            LOG.info("router {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                app.stopped.complete(now);
            }
        });
        streams.setUncaughtExceptionHandler(error -> {
            app.lastError.set(error);
            LOG.error("a router stream thread failed; replacing it", error);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        return app;
    }

    /**
     * Checks that {@code pod-intents}, {@code pod-status}, {@code pools} and {@code decisions} exist and that the
     * per-pod topics have equally many partitions, then creates or updates the router's own topics (the pod inbox
     * with as many partitions as {@code pod-intents}).
     */
    public static RouterTopics prepareTopics(RouterConfig config, Topics topics, String bootstrapServers, Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        int ms = (int) Math.max(1_000, timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, config.applicationId() + "-setup");
        try (Admin admin = Admin.create(props); TopicAdmin topicAdmin = new TopicAdmin(admin, bootstrapServers, timeout)) {
            List<String> needed = List.of(topics.podIntents().name(), topics.podStatus().name(), topics.pools().name(),
                    topics.decisions().name(), topics.deadLetters().name());
            Map<String, TopicDescription> described;
            try {
                described = admin.describeTopics(needed).allTopicNames().get(ms, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new IllegalStateException("Ferry's topics are missing on Kafka at " + bootstrapServers + " (need "
                            + String.join(", ", needed) + "): create them with `ferry topics apply --site <site> ...`",
                            e.getCause());
                }
                throw new TopicAdmin.KafkaUnavailableException("cannot describe Ferry's topics on Kafka at "
                        + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new TopicAdmin.KafkaUnavailableException("no answer from Kafka at " + bootstrapServers + " within "
                        + timeout.toSeconds() + "s; is the broker running and is the bootstrap address right?", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopicAdmin.KafkaUnavailableException("interrupted while describing Ferry's topics", e);
            }
            int intents = described.get(topics.podIntents().name()).partitions().size();
            int status = described.get(topics.podStatus().name()).partitions().size();
            if (intents != status) {
                throw new IllegalStateException(topics.podIntents().name() + " has " + intents + " partitions and "
                        + topics.podStatus().name() + " has " + status + "; the router needs them equal (both are keyed"
                        + " by pod UID and read by the same tasks): give them the same count");
            }
            RouterTopics own = RouterTopics.of(config, topics, intents);
            topicAdmin.apply(List.copyOf(own.all())).forEach(change -> LOG.info("router topic {}", change));
            awaitLeaders(admin, own.all().stream().map(dev.ferry.schema.Topic::name).toList(), timeout);
            return own;
        }
    }

    /**
     * Waits until every partition of the topics has a leader: a topic created a moment ago is listed before its
     * metadata reaches every broker, and Kafka Streams' global thread gives up at once on a topic without partitions.
     */
    private static void awaitLeaders(Admin admin, List<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                        .get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
                if (described.values().stream().allMatch(d -> !d.partitions().isEmpty()
                        && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()))) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new TopicAdmin.KafkaUnavailableException("the router's topics " + names
                            + " did not become available within " + timeout.toSeconds() + "s", e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopicAdmin.KafkaUnavailableException("interrupted while waiting for the router's topics", e);
            }
            if (System.nanoTime() > deadline) {
                throw new TopicAdmin.KafkaUnavailableException("the router's topics " + names
                        + " have partitions without a leader after " + timeout.toSeconds() + "s", null);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TopicAdmin.KafkaUnavailableException("interrupted while waiting for the router's topics", e);
            }
        }
    }

    /** The Kafka Streams state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** True unless the router stopped or failed for good. */
    public boolean healthy() {
        KafkaStreams.State state = streams.state();
        return state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
                && state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.PENDING_SHUTDOWN;
    }

    /** True when the router is processing (RUNNING). */
    public boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    /** The last error that stopped a stream thread, if any. */
    public Throwable lastError() {
        return lastError.get();
    }

    /** Completes with ERROR when every stream thread failed for good, or NOT_RUNNING once closed. */
    public CompletableFuture<KafkaStreams.State> stopped() {
        return stopped;
    }

    /** The running Kafka Streams instance, for metrics. */
    public KafkaStreams streams() {
        return streams;
    }

    /** Stops processing, commits and closes; waits at most {@code timeout}. */
    public boolean close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        boolean closed = streams.close(timeout);
        LOG.info("router closed {}", closed ? "cleanly" : "after " + timeout.toSeconds() + " s without finishing");
        return closed;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
