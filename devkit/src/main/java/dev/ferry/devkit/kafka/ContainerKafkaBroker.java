package dev.ferry.devkit.kafka;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;

/** A Kafka broker in a Docker container started by Testcontainers; needs a reachable Docker engine. */
public final class ContainerKafkaBroker implements KafkaBroker {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerKafkaBroker.class);

    private final KafkaContainer container;
    private final String image;

    private ContainerKafkaBroker(KafkaContainer container, String image) {
        this.container = container;
        this.image = image;
    }

    /** Starts {@code image} (an {@code apache/kafka} image) and waits until it is ready. */
    @SuppressWarnings("resource") // closed by close()
    public static ContainerKafkaBroker start(String image) {
        long started = System.nanoTime();
        KafkaContainer container = new KafkaContainer(image)
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withStartupTimeout(Duration.ofMinutes(3));
        container.start();
        ContainerKafkaBroker broker = new ContainerKafkaBroker(container, image);
        LOG.info("Kafka container {} ready at {} in {} ms", image, broker.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return broker;
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public String describe() {
        return "Testcontainers Kafka " + image + " at " + bootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return describe();
    }
}
