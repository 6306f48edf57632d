package dev.ferry.gateway.logs;

import java.time.Duration;

/**
 * One reader's position in one container's log, used by one thread. The server calls {@link #next} until the batch
 * says it may stop, and always {@link #close()}s it, also when the client went away.
 */
public interface LogCursor extends AutoCloseable {

    /**
     * The next part of the log: returns as soon as there are lines (or the cursor caught up, or the log ended), and
     * at the latest after {@code wait} with an empty batch.
     *
     * @throws InterruptedException when the serving thread is interrupted (the server is closing)
     */
    LogBatch next(Duration wait) throws InterruptedException;

    /** Releases what the cursor holds (a Kafka consumer, a subscription); never throws. */
    @Override
    void close();
}
