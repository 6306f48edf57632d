package dev.ferry.loadtest.router;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A {@code read_committed} consumer that matches what it reads (by key) with what was sent, recording send →
 * visible latencies in microseconds. Starts at the end of its topics; only keys registered with {@link #sent} count.
 */
final class Deliveries implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Thread thread;
    private final AtomicLong delivered = new AtomicLong();
    private final long[] arrivals;
    private volatile boolean running = true;
    private volatile Histogram histogram = new Histogram(3_600_000_000L, 3);
    private volatile long recordFrom = Long.MAX_VALUE;
    /** The slowest latency (µs) of the records sent in each second of the recording (up to 10 minutes). */
    private volatile AtomicLongArray slowestPerSecond = new AtomicLongArray(600);

    Deliveries(String bootstrapServers, List<String> topics, int capacity) {
        this.arrivals = new long[capacity];
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = topics.stream().flatMap(t -> consumer.partitionsFor(t, Duration.ofSeconds(30))
                .stream().map(p -> new TopicPartition(t, p.partition()))).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        this.thread = new Thread(this::loop, "deliveries");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    Long sent = sentAt.remove(record.key());
                    if (sent == null) {
                        continue;
                    }
                    long n = delivered.getAndIncrement();
                    if (n < arrivals.length) {
                        arrivals[(int) n] = now;
                    }
                    if (sent >= recordFrom) {
                        long micros = Math.max(0, (now - sent) / 1_000);
                        histogram.recordValue(micros);
                        int second = (int) ((sent - recordFrom) / 1_000_000_000L);
                        if (second < slowestPerSecond.length()) {
                            slowestPerSecond.accumulateAndGet(second, micros, Math::max);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Starts a new measurement: latencies of records sent from {@code recordFromNanos} on are kept. */
    void reset(long recordFromNanos) {
        histogram = new Histogram(3_600_000_000L, 3);
        slowestPerSecond = new AtomicLongArray(600);
        delivered.set(0);
        this.recordFrom = recordFromNanos;
    }

    void sent(String key, long nanos) {
        sentAt.put(key, nanos);
    }

    long delivered() {
        return delivered.get();
    }

    /** Arrival time of the {@code n}-th delivery since the last reset. */
    long arrival(int n) {
        return arrivals[n];
    }

    Histogram histogram() {
        return histogram;
    }

    /** The largest latency (ms) of the records sent in each second since the recording began, up to {@code seconds}. */
    String slowestPerSecond(int seconds) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(seconds, slowestPerSecond.length()); i++) {
            out.append(i == 0 ? "" : " ").append(slowestPerSecond.get(i) / 1_000);
        }
        return out.toString();
    }

    /** Waits until {@code count} deliveries arrived or {@code timeout} passed; returns the deliveries. */
    long await(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (delivered.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return delivered.get();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
