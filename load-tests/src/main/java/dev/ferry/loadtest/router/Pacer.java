package dev.ferry.loadtest.router;

import java.util.concurrent.locks.LockSupport;

/**
 * Offers work at a fixed rate: the i-th item at {@code start + i / rate}. The generator sleeps at least a millisecond
 * at a time and then sends every item whose slot has passed: waking for each item (every 100 µs at 10,000/s) cost the
 * generator a fifth of a core on 2 cores, CPU the system under test then lacked. An item is sent at most about a
 * millisecond after its slot; latencies are measured from the actual send.
 */
final class Pacer {

    private static final long TICK_NANOS = 1_000_000;

    private final long start;
    private final double intervalNanos;

    Pacer(long start, int ratePerSecond) {
        this.start = start;
        this.intervalNanos = 1e9 / ratePerSecond;
    }

    /** When the i-th item is due. */
    long slot(long i) {
        return start + (long) (i * intervalNanos);
    }

    /** Waits for the i-th slot (returns at once when it has passed); returns the time it is sent at. */
    long awaitSlot(long i) {
        long target = slot(i);
        long now;
        while ((now = System.nanoTime()) < target) {
            LockSupport.parkNanos(Math.max(target - now, TICK_NANOS));
        }
        return now;
    }
}
