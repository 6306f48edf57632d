package dev.ferry.gateway;

import dev.ferry.events.PodIntent;
import dev.ferry.schema.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes intents to {@code pod-intents} in the order they were added, and never drops one: a batch that Kafka
 * does not acknowledge is sent again, whole, after a backoff, until it is (intent ids are deterministic, so the
 * router drops the copies a resend may create). While Kafka does not answer, the listener hears which pods wait
 * and why, so they can show it; once a batch goes through, that Kafka is back.
 *
 * <p>One sender thread: per-pod order (CREATE before DELETE) is the order of {@link #add}.
 */
final class IntentOutbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IntentOutbox.class);
    private static final int MAX_BATCH = 500;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** What the outbox tells the gateway. Called on the sender thread. */
    interface Listener {
        /** {@code entry}'s intent is on the topic. */
        void published(Entry entry);

        /** Kafka refused or did not answer; {@code waiting} are still to be sent. */
        void waiting(List<Entry> waiting, String why);

        /** Whether the last attempt to send reached Kafka. */
        void reachable(boolean reachable);
    }

    /** An intent and the pod's namespace/name, for the listener. */
    record Entry(PodIntent intent, String namespace, String name) {
    }

    private final Producer<String, PodIntent> producer;
    private final Topic<String, PodIntent> topic;
    private final Duration sendTimeout;
    private final Listener listener;
    private final BlockingDeque<Entry> queue = new LinkedBlockingDeque<>();
    private final Thread sender;
    private volatile boolean running = true;
    private volatile int inFlight;

    IntentOutbox(Producer<String, PodIntent> producer, Topic<String, PodIntent> topic, Duration sendTimeout,
                 Listener listener) {
        this.producer = producer;
        this.topic = topic;
        this.sendTimeout = sendTimeout;
        this.listener = listener;
        this.sender = new Thread(this::run, "ferry-gateway-intents");
        this.sender.setDaemon(true);
    }

    IntentOutbox start() {
        sender.start();
        return this;
    }

    void add(PodIntent intent, String namespace, String name) {
        queue.add(new Entry(intent, namespace, name));
    }

    /** Intents added but not yet acknowledged by Kafka (including the batch in flight). */
    int backlog() {
        return queue.size() + inFlight;
    }

    private void run() {
        try {
            while (running) {
                List<Entry> batch = new ArrayList<>();
                batch.add(queue.take());
                queue.drainTo(batch, MAX_BATCH - 1);
                inFlight = batch.size();
                sendUntilAcknowledged(batch);
                inFlight = 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendUntilAcknowledged(List<Entry> batch) throws InterruptedException {
        Duration backoff = FIRST_BACKOFF;
        boolean announcedWaiting = false;
        while (running) {
            String failure = send(batch);
            if (failure == null) {
                batch.forEach(listener::published);
                listener.reachable(true);
                return;
            }
            listener.reachable(false);
            if (!announcedWaiting) {
                LOG.warn("Kafka did not take {} intent(s), sending them again until it does: {}", batch.size(), failure);
                listener.waiting(batch, failure);
                announcedWaiting = true;
            }
            TimeUnit.MILLISECONDS.sleep(backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Sends the batch and waits for every acknowledgement; null when all arrived, else why not. */
    private String send(List<Entry> batch) throws InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        try {
            for (Entry entry : batch) {
                PodIntent intent = entry.intent();
                acks.add(producer.send(new ProducerRecord<>(topic.name(), intent.getPod().getUid(), intent)));
            }
            long deadline = System.nanoTime() + sendTimeout.toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return null;
        } catch (ExecutionException e) {
            return describe(e.getCause());
        } catch (TimeoutException e) {
            return "no acknowledgement within " + sendTimeout.toSeconds() + " s";
        } catch (RuntimeException e) {
            // send() itself throws when it cannot even get the topic's metadata within max.block.ms
            return describe(e);
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @Override
    public void close() {
        running = false;
        sender.interrupt();
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        if (backlog() > 0) {
            LOG.warn("Stopping with {} intent(s) not yet on Kafka; they are sent again when the gateway restarts "
                    + "and relists its pods", backlog());
        }
    }
}
