package dev.ferry.loadtest.router;

import java.util.concurrent.locks.LockSupport;

/** Offers work at a fixed rate: the i-th item at {@code start + i / rate}, never in bursts to catch up faster. */
final class Pacer {

    private final long start;
    private final double intervalNanos;

    Pacer(long start, int ratePerSecond) {
        this.start = start;
        this.intervalNanos = 1e9 / ratePerSecond;
    }

    /** Waits for the i-th slot; returns the time it is sent at. */
    long awaitSlot(long i) {
        long target = start + (long) (i * intervalNanos);
        long now;
        while ((now = System.nanoTime()) < target) {
            LockSupport.parkNanos(Math.min(target - now, 200_000));
        }
        return now;
    }
}
