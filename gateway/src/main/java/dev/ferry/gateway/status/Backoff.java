package dev.ferry.gateway.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Exponential backoff within a total budget: pauses of {@code initial}, twice that, ... up to {@code max}, for as
 * long as {@code budget} since the first try allows (the last pause is cut to what is left).
 */
record Backoff(Duration initial, Duration max, Duration budget) {

    static final Duration INITIAL = Duration.ofMillis(100);
    static final Duration MAX = Duration.ofSeconds(5);

    Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(budget, "budget");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || budget.isNegative()) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max and a budget >= 0, got initial "
                    + initial + ", max " + max + ", budget " + budget);
        }
    }

    /** 100 ms doubling up to 5 s, for {@code budget} in all. */
    static Backoff within(Duration budget) {
        return new Backoff(INITIAL, MAX, budget);
    }

    /** The pause after the {@code retry}-th failure (0 for the first), ignoring the budget. */
    Duration delay(int retry) {
        Duration delay = initial;
        for (int i = 0; i < retry && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /**
     * The pause before the next try after the {@code retry}-th failure, or empty when the budget counted from
     * {@code start} is spent at {@code now}.
     */
    Optional<Duration> next(int retry, Instant start, Instant now) {
        Duration left = budget.minus(Duration.between(start, now));
        if (left.isNegative() || left.isZero()) {
            return Optional.empty();
        }
        Duration delay = delay(retry);
        return Optional.of(delay.compareTo(left) > 0 ? left : delay);
    }
}
