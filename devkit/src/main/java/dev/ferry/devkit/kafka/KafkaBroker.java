package dev.ferry.devkit.kafka;

/**
 * A Kafka cluster that tests and {@code ferry dev} can talk to: an embedded broker, a child JVM, a container, or
 * an external cluster. Whoever obtained it closes it; closing an external cluster's handle leaves the cluster alone.
 */
public interface KafkaBroker extends AutoCloseable {

    /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:41234}. */
    String bootstrapServers();

    /** One line for logs, e.g. {@code embedded KRaft broker 4.4.0 at 127.0.0.1:41234}. */
    String describe();

    /** Stops the broker (if this handle owns it) and releases its resources. Idempotent. */
    @Override
    void close();
}
