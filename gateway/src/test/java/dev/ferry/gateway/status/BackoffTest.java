package dev.ferry.gateway.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void doublesFrom100MillisecondsUpTo5Seconds() {
        Backoff backoff = Backoff.within(Duration.ofMinutes(2));
        assertThat(IntStream.range(0, 10).mapToObj(backoff::delay).map(Duration::toMillis))
                .containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L, 5000L);
        assertThat(backoff.delay(1000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void stopsWhenTheBudgetIsSpentAndCutsTheLastPause() {
        Backoff backoff = Backoff.within(Duration.ofSeconds(10));
        assertThat(backoff.next(0, START, START)).contains(Duration.ofMillis(100));
        assertThat(backoff.next(6, START, START.plusSeconds(3))).contains(Duration.ofSeconds(5));
        assertThat(backoff.next(6, START, START.plusSeconds(8))).contains(Duration.ofSeconds(2));
        assertThat(backoff.next(6, START, START.plusSeconds(10))).isEmpty();
        assertThat(backoff.next(0, START, START.plusSeconds(11))).isEmpty();
    }

    @Test
    void aZeroBudgetNeverRetries() {
        assertThat(Backoff.within(Duration.ZERO).next(0, START, START)).isEmpty();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initial");
        assertThatThrownBy(() -> Backoff.within(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
    }
}
