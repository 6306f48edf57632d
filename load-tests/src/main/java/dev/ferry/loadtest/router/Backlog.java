package dev.ferry.loadtest.router;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a router's backlog is while it runs: once a second, for each of its input topics, the records between the
 * group's committed offsets and the topic's end (read_committed, so an open transaction's records are not counted).
 * A backlog in {@code pod-intents} means the routing side is behind; in the pool inbox, the pools' side.
 */
final class Backlog implements AutoCloseable {

    private final Admin admin;
    private final String group;
    private final Map<String, List<TopicPartition>> topics = new LinkedHashMap<>();
    private final Map<String, List<Long>> samples = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param names short names of the topics (for the report) → topic names
     */
    Backlog(String bootstrapServers, String group, Map<String, String> names, int partitions) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.group = group;
        names.forEach((shortName, topic) -> {
            List<TopicPartition> list = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                list.add(new TopicPartition(topic, p));
            }
            topics.put(shortName, list);
            samples.put(shortName, new ArrayList<>());
        });
        this.thread = new Thread(this::loop, "backlog");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            long next = System.nanoTime() + 1_000_000_000L;
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = topics.values().stream().flatMap(List::stream)
                        .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest,
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all().get(5, TimeUnit.SECONDS);
                synchronized (samples) {
                    topics.forEach((name, partitions) -> samples.get(name).add(partitions.stream().mapToLong(tp -> {
                        OffsetAndMetadata at = committed.get(tp);
                        return Math.max(0, ends.get(tp).offset() - (at == null ? 0 : at.offset()));
                    }).sum()));
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                synchronized (samples) { // the broker was slow to answer: "?" for this second
                    samples.values().forEach(list -> list.add(null));
                }
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Each topic's backlog, one sample a second ("?" when the broker did not answer): "pod-intents 0 120 5400 …". */
    String report() {
        synchronized (samples) {
            return samples.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().stream()
                    .map(n -> n == null ? "?" : n.toString())
                    .collect(Collectors.joining(" "))).collect(Collectors.joining("; "));
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(2));
    }
}
