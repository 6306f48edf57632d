package dev.ferry.executor.model;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Per-pod sequence numbers for {@code PodStatusEvent}s, strictly increasing per pod and attempt
 * across executor restarts.
 *
 * <p>The next sequence is {@code max(last + 1, now_ms * 1000)}: a counter seeded from the wall
 * clock. Why this and not a plain counter: a plain counter restarts at 1 when the executor
 * restarts, and the gateway would then drop every later event of a pod as "not newer" than the
 * ones before the restart. Seeding from the clock makes the first event after a restart larger
 * than every event before it, as long as the restart took longer than the clock stepped back
 * (milliseconds under NTP slewing), with no state to keep and no topic to read. The runtime also
 * feeds in the last sequence it reads back from {@code pod-status} on start ({@link #observe}), so
 * even a clock that jumped back keeps the order for pods it knows. The factor 1000 leaves room
 * for 1000 events per pod per millisecond before the counter runs ahead of the clock, which
 * only makes the numbers larger, never smaller; {@code long} holds such values for 290,000 years.
 */
public final class StatusSequencer {

    private final Clock clock;
    private final Map<String, Long> last = new HashMap<>();

    public StatusSequencer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The next sequence for {@code podUid}. */
    public long next(String podUid) {
        long seeded = Math.multiplyExact(clock.millis(), 1000L);
        long next = Math.max(last.getOrDefault(podUid, 0L) + 1, seeded);
        last.put(podUid, next);
        return next;
    }

    /** Records a sequence already used for {@code podUid} (read back from the topic). */
    public void observe(String podUid, long sequence) {
        last.merge(podUid, sequence, Math::max);
    }

    /** Forgets a pod that is done. */
    public void forget(String podUid) {
        last.remove(podUid);
    }
}
