package dev.ferry.loadtest.router;

import dev.ferry.events.PodIntent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Drives one running router: adverts for four pools at two sites, large enough that nothing queues; intents in,
 * RUN commands out ({@code jobs.site-a}, {@code jobs.site-b}, {@code read_committed}).
 */
final class RouterLoad implements AutoCloseable {

    private final Topics topics;
    private final KafkaProducer<String, byte[]> producer;
    private final String bootstrapServers;
    private final String tag;
    private Deliveries deliveries;
    private int run;

    RouterLoad(String bootstrapServers, Topics topics, int index) {
        this.bootstrapServers = bootstrapServers;
        this.topics = topics;
        this.producer = RouterBenchmark.rawProducer(bootstrapServers);
        this.tag = "r" + index + "-" + System.nanoTime() % 100_000;
    }

    void advertisePools() {
        for (String[] pool : List.of(new String[] {"cpu-1", "site-a"}, new String[] {"cpu-2", "site-a"},
                new String[] {"cpu-3", "site-b"}, new String[] {"cpu-4", "site-b"})) {
            PoolAdvert advert = RouterBenchmark.pool(pool[0], pool[1]);
            RouterBenchmark.send(producer, topics.pools().name(), advert.getPoolId(),
                    topics.pools().valueSerde().serializer().serialize(topics.pools().name(), advert));
        }
        producer.flush();
    }

    /** Sends probe intents until one is routed: the pools' views have reached the routing side. */
    void awaitFirstRun(Function<String, PodIntent> intents) throws InterruptedException {
        Deliveries probe = deliveries(10_000);
        probe.reset(Long.MAX_VALUE);
        for (int i = 0; probe.delivered() == 0; i++) {
            if (i > 600) {
                throw new IllegalStateException("no RUN within 60 s of the first probe intent");
            }
            String uid = tag + "-probe-" + i;
            probe.sent(uid, System.nanoTime());
            send(intents.apply(uid));
            Thread.sleep(100);
        }
    }

    /** As many intents as fast as possible; RUNs per second from the first send to the last RUN. */
    Result burst(int count, Function<String, PodIntent> intents) throws InterruptedException {
        run++;
        byte[][] values = new byte[count][];
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = tag + "-b" + run + "-" + i;
            values[i] = serialize(intents.apply(keys[i]));
        }
        Deliveries d = deliveries(count);
        long start = System.nanoTime();
        d.reset(start);
        for (int i = 0; i < count; i++) {
            d.sent(keys[i], System.nanoTime());
            RouterBenchmark.send(producer, topics.podIntents().name(), keys[i], values[i]);
        }
        producer.flush();
        long got = d.await(count, Duration.ofMinutes(10));
        return Result.of(RawKafka.overallRate(d, (int) got, start), d.histogram());
    }

    /**
     * One paced run: its result, how long after its slot (ms) the most delayed send left (did the generator keep
     * up?), and the slowest RUN (ms) of the intents sent in each recorded second (steady, or stalls?).
     */
    record Paced(Result result, double mostDelayedSendMs, String slowestPerSecond) {
    }

    /** At {@code rate} intents per second for {@code seconds}; the first fifth is warm-up. */
    Paced paced(int rate, int seconds, Function<String, PodIntent> intents) throws InterruptedException {
        run++;
        int count = rate * seconds;
        byte[][] values = new byte[count][];
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = tag + "-p" + run + "-" + i;
            values[i] = serialize(intents.apply(keys[i]));
        }
        Deliveries d = deliveries(count);
        long start = System.nanoTime() + 100_000_000L;
        d.reset(start + Duration.ofSeconds(seconds).toNanos() / 5);
        Pacer pacer = new Pacer(start, rate);
        long late = 0;
        for (int i = 0; i < count; i++) {
            long at = pacer.awaitSlot(i);
            late = Math.max(late, at - pacer.slot(i));
            d.sent(keys[i], at);
            RouterBenchmark.send(producer, topics.podIntents().name(), keys[i], values[i]);
        }
        producer.flush();
        long got = d.await(count, Duration.ofMinutes(5));
        if (got < count) {
            System.out.printf("  (only %d of %d intents were routed within 5 minutes)%n", got, count);
        }
        return new Paced(Result.of(RawKafka.deliveredRate(d, (int) got, count, rate), d.histogram()), late / 1e6,
                d.slowestPerSecond(seconds - seconds / 5));
    }

    private byte[] serialize(PodIntent intent) {
        return topics.podIntents().valueSerde().serializer().serialize(topics.podIntents().name(), intent);
    }

    private void send(PodIntent intent) {
        RouterBenchmark.send(producer, topics.podIntents().name(), intent.getPod().getUid(), serialize(intent));
        producer.flush();
    }

    private Deliveries deliveries(int capacity) throws InterruptedException {
        if (deliveries != null) {
            deliveries.close();
        }
        deliveries = new Deliveries(bootstrapServers, List.of(topics.jobs("site-a").name(), topics.jobs("site-b").name()),
                capacity);
        return deliveries;
    }

    @Override
    public void close() {
        if (deliveries != null) {
            deliveries.close();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
