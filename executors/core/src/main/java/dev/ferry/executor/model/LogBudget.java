package dev.ferry.executor.model;

import java.time.Clock;
import java.util.Objects;

/**
 * A token bucket of bytes: at most {@code bytesPerSecond} on average, with bursts of up to one
 * second's worth. The log shipper asks it before each read.
 */
public final class LogBudget {

    private final Clock clock;
    private final long bytesPerSecond;
    private double tokens;
    private long lastRefillMillis;

    public LogBudget(Clock clock, long bytesPerSecond) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be positive");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
        this.lastRefillMillis = clock.millis();
    }

    /** How many bytes may be taken now. */
    public long available() {
        refill();
        return (long) tokens;
    }

    /** Takes {@code bytes} that were shipped. */
    public void take(long bytes) {
        refill();
        tokens -= bytes;
    }

    private void refill() {
        long now = clock.millis();
        long elapsed = now - lastRefillMillis;
        if (elapsed > 0) {
            tokens = Math.min(bytesPerSecond, tokens + elapsed * (bytesPerSecond / 1000.0));
            lastRefillMillis = now;
        }
    }
}
