package dev.ferry.gateway;

import dev.ferry.events.PodRef;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.RoutingDecision;
import dev.ferry.gateway.status.StatusWriteException;
import dev.ferry.gateway.status.StatusWriter;
import dev.ferry.schema.Decoded;
import dev.ferry.schema.RecordDecoder;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings what the sites and the router say back into the pods of one virtual node: {@code pod-status} events become
 * pod status ({@link StatusWriter}), {@code decisions} become Kubernetes Events on the pod, so {@code kubectl
 * describe pod} says where it went or why it waits.
 *
 * <p>One consumer group per node ({@code <group-prefix><node>}), so the replica that leads the node reads every
 * partition; events for pods of other nodes are skipped. Offsets are committed after the events were applied; an
 * event the API server did not take is read again after a pause (the writer already retried with backoff), so
 * nothing is lost, and since the writer only applies what is newer than the pod shows, re-reading is harmless. A
 * record that cannot be decoded goes to {@code dead-letters}.
 */
final class StatusFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusFeed.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /** Pods whose status is written at the same time: the API round trip, not the CPU, is the limit. */
    private static final int APPLIERS = 4;

    private final Gateway gateway;
    private final NodeAgent agent;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final RecordDecoder<String, PodStatusEvent> statusDecoder;
    private final RecordDecoder<String, RoutingDecision> decisionDecoder;
    private final Thread thread;
    private final ExecutorService appliers;
    private volatile boolean running = true;

    StatusFeed(Gateway gateway, NodeAgent agent) {
        this.gateway = gateway;
        this.agent = agent;
        String group = gateway.config().groupPrefix() + agent.nodeName();
        Map<String, Object> config = new HashMap<>(gateway.kafkaConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + gateway.config().gatewayId());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.statusDecoder = new RecordDecoder<>(gateway.topics().podStatus(), group, gateway.clock());
        this.decisionDecoder = new RecordDecoder<>(gateway.topics().decisions(), group, gateway.clock());
        this.appliers = Executors.newFixedThreadPool(APPLIERS, Gateway.daemonThreads("ferry-gateway-apply-"
                + agent.nodeName() + "-"));
        this.thread = new Thread(this::run, "ferry-gateway-status-" + agent.nodeName());
        this.thread.setDaemon(true);
    }

    StatusFeed start() {
        consumer.subscribe(List.of(gateway.topics().podStatus().name(), gateway.topics().decisions().name()));
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                Map<ConsumerRecord<byte[], byte[]>, CompletableFuture<Boolean>> results = dispatch(records);
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                boolean retry = false;
                for (TopicPartition partition : records.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> raw : records.records(partition)) {
                        if (!results.get(raw).join()) {
                            // read again from here; the pods after it that were applied are STALE then
                            consumer.seek(partition, raw.offset());
                            retry = true;
                            break;
                        }
                        done.put(partition, new OffsetAndMetadata(raw.offset() + 1));
                    }
                }
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
                if (retry) {
                    Thread.sleep(RETRY_PAUSE.toMillis());
                }
            }
        } catch (WakeupException | InterruptedException stopping) {
            // close() was called
        } catch (RuntimeException e) {
            LOG.error("The status feed of node {} stopped: {}", agent.nodeName(), e.toString(), e);
            gateway.failed(e);
        } finally {
            appliers.shutdownNow();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Decodes the records here (the deserializers are this thread's) and applies them on the appliers: one chain per
     * pod UID, so one pod's events stay in order while different pods' are written in parallel (each write is a
     * round trip to the API server). Each record's future says whether it is done with (applied, skipped or
     * dead-lettered) or is to be read again.
     */
    private Map<ConsumerRecord<byte[], byte[]>, CompletableFuture<Boolean>> dispatch(
            ConsumerRecords<byte[], byte[]> records) {
        Map<ConsumerRecord<byte[], byte[]>, CompletableFuture<Boolean>> results = new HashMap<>();
        Map<String, CompletableFuture<Boolean>> chains = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> raw : records) {
            Object value = decode(raw);
            if (value == null) {
                results.put(raw, CompletableFuture.completedFuture(true));
                continue;
            }
            String pod = raw.key() == null ? "" : new String(raw.key(), StandardCharsets.UTF_8);
            CompletableFuture<Boolean> previous = chains.getOrDefault(pod, CompletableFuture.completedFuture(true));
            CompletableFuture<Boolean> result = previous.thenApplyAsync(ignored -> handle(raw, value), appliers);
            chains.put(pod, result);
            results.put(raw, result);
        }
        return results;
    }

    /** The record's event or decision; null when there is nothing to apply (a tombstone, or it was dead-lettered). */
    private Object decode(ConsumerRecord<byte[], byte[]> raw) {
        if (raw.value() == null) {
            return null;
        }
        boolean status = raw.topic().equals(gateway.topics().podStatus().name());
        Decoded<String, ?> decoded = status ? statusDecoder.decode(raw) : decisionDecoder.decode(raw);
        if (decoded instanceof Decoded.Failed<String, ?> failed) {
            gateway.deadLetters().publish(failed.deadLetter());
            return null;
        }
        return ((Decoded.Ok<String, ?>) decoded).record().value();
    }

    /** True when the record is done with (applied or skipped); false to read it again later. */
    private boolean handle(ConsumerRecord<byte[], byte[]> raw, Object value) {
        try {
            if (value instanceof PodStatusEvent event) {
                apply(event);
            } else if (value instanceof RoutingDecision decision && ours(decision.getPod())) {
                gateway.decisionEvents(agent.nodeName()).record(decision);
            }
            return true;
        } catch (StatusWriteException e) {
            LOG.warn("The API server did not take the status at {}-{}@{}; trying again: {}", raw.topic(),
                    raw.partition(), raw.offset(), e.getMessage());
            return false;
        } catch (RuntimeException e) {
            LOG.warn("Could not apply {} at {}-{}@{}; trying again: {}", value.getClass().getSimpleName(), raw.topic(),
                    raw.partition(), raw.offset(), e.toString());
            return false;
        }
    }

    private void apply(PodStatusEvent event) {
        PodRef ref = event.getPod();
        Optional<Pod> cached = agent.cached(ref.getNamespace(), ref.getName(), ref.getUid());
        if (cached.isEmpty()) {
            LOG.debug("Status for pod {}/{} ({}), which is not on node {} (or gone): dropped",
                    event.getPod().getNamespace(), event.getPod().getName(), event.getPod().getUid(), agent.nodeName());
            return;
        }
        StatusWriter.Outcome outcome = gateway.statusWriter().apply(event, cached.get());
        LOG.debug("Status {} for pod {}/{}: {}", event.getPhase(), event.getPod().getNamespace(),
                event.getPod().getName(), outcome);
    }

    private boolean ours(PodRef pod) {
        return agent.cached(pod.getNamespace(), pod.getName(), pod.getUid()).isPresent();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
