package dev.ferry.executor;

import dev.ferry.events.JobCommand;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where the runtime's commands come from ({@code jobs.<site>}), with manual commits. The Kafka
 * implementation is {@code dev.ferry.executor.kafka.KafkaJobFeed}; tests use an in-memory one.
 */
public interface JobFeed extends AutoCloseable {

    /** The next commands, in offset order per partition; empty after {@code timeout}. */
    List<Incoming> poll(Duration timeout);

    /** Marks everything up to and including {@code positions} as done (synchronously). */
    void commit(List<Position> positions);

    /** Makes the next {@link #poll} return the command at {@code position} again (and those after it). */
    void rewind(Position position);

    @Override
    void close();

    /** Where a command sits. */
    record Position(String topic, int partition, long offset) {
    }

    /** One command and where it sits. */
    record Incoming(Position position, JobCommand command) {
        public Incoming {
            Objects.requireNonNull(position, "position");
            Objects.requireNonNull(command, "command");
        }
    }
}
