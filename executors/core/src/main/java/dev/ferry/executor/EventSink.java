package dev.ferry.executor;

import dev.ferry.events.LogChunk;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;

/**
 * Where the runtime's events go ({@code pod-status}, {@code pod-logs}, {@code pools}). Sends may
 * be asynchronous; {@link #flush()} returns only when every event sent so far is stored, and
 * throws if one could not be. The runtime commits a command's offset only after a flush.
 */
public interface EventSink extends AutoCloseable {

    void status(PodStatusEvent event);

    void log(LogChunk chunk);

    void pool(PoolAdvert advert);

    /** Waits until every event sent so far is stored. */
    void flush();

    @Override
    void close();
}
