package dev.ferry.loadtest.router;

import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;

/** The ceiling: one producer and one {@code read_committed} consumer on the same broker, nothing in between. */
final class RawKafka {

    private final String bootstrapServers;
    private final String topic;
    private final byte[] value;
    private int run;

    RawKafka(String bootstrapServers, String topic, byte[] value) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.value = value;
    }

    /** As fast as possible: delivered per second from the first send to the last delivery. */
    Result burst(int count) throws InterruptedException {
        run++;
        try (KafkaProducer<String, byte[]> producer = RouterBenchmark.rawProducer(bootstrapServers);
             Deliveries deliveries = new Deliveries(bootstrapServers, List.of(topic), count)) {
            long start = System.nanoTime();
            deliveries.reset(start);
            for (int i = 0; i < count; i++) {
                String key = "raw-" + run + "-" + i;
                deliveries.sent(key, System.nanoTime());
                RouterBenchmark.send(producer, topic, key, value);
            }
            producer.flush();
            long got = deliveries.await(count, Duration.ofMinutes(5));
            return Result.of(overallRate(deliveries, (int) got, start), deliveries.histogram());
        }
    }

    /** At {@code rate} per second for {@code seconds}; the first fifth is warm-up. */
    Result paced(int rate, int seconds) throws InterruptedException {
        run++;
        int count = rate * seconds;
        try (KafkaProducer<String, byte[]> producer = RouterBenchmark.rawProducer(bootstrapServers);
             Deliveries deliveries = new Deliveries(bootstrapServers, List.of(topic), count)) {
            long start = System.nanoTime() + 100_000_000L;
            deliveries.reset(start + Duration.ofSeconds(seconds).toNanos() / 5);
            Pacer pacer = new Pacer(start, rate);
            for (int i = 0; i < count; i++) {
                String key = "raw-" + run + "-" + i;
                long at = pacer.awaitSlot(i);
                deliveries.sent(key, at);
                RouterBenchmark.send(producer, topic, key, value);
            }
            producer.flush();
            long got = deliveries.await(count, Duration.ofMinutes(2));
            return Result.of(deliveredRate(deliveries, (int) got, count, rate), deliveries.histogram());
        }
    }

    /** Deliveries per second from {@code start} (the first send) to the last delivery. */
    static double overallRate(Deliveries deliveries, int got, long start) {
        if (got == 0) {
            return 0;
        }
        return got / ((deliveries.arrival(got - 1) - start) / 1e9);
    }

    /** The offered rate if everything arrived, else what arrived over the time it took. */
    static double deliveredRate(Deliveries deliveries, int got, int offered, int rate) {
        if (got == 0) {
            return 0;
        }
        double seconds = (deliveries.arrival(got - 1) - deliveries.arrival(0)) / 1e9;
        double offeredSeconds = (double) offered / rate;
        return got / Math.max(seconds, offeredSeconds);
    }
}
