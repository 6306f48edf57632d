package dev.ferry.devkit.kafka;

import java.util.Objects;

/** A Kafka cluster that someone else runs (e.g. from {@code KAFKA_BOOTSTRAP_SERVERS}); {@link #close()} leaves it running. */
public final class ExternalKafkaBroker implements KafkaBroker {

    private final String bootstrapServers;

    public ExternalKafkaBroker(String bootstrapServers) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers is blank");
        }
        this.bootstrapServers = bootstrapServers.strip();
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public String describe() {
        return "external Kafka at " + bootstrapServers;
    }

    /** Does nothing: the cluster belongs to whoever started it. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return describe();
    }
}
