package dev.ferry.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusSequencerTest {
    @Test
    void strictlyIncreasingPerPodAcrossRestartsAndClockSteps() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        StatusSequencer first = new StatusSequencer(clock);
        long a = first.next("pod");
        long b = first.next("pod");
        assertThat(b).isGreaterThan(a);
        assertThat(a).isEqualTo(clock.millis() * 1000);

        // a restart a second later: no state, still larger
        clock.advance(Duration.ofSeconds(1));
        StatusSequencer restarted = new StatusSequencer(clock);
        assertThat(restarted.next("pod")).isGreaterThan(b);

        // a restart with the clock an hour behind: what was read back keeps the order
        clock.advance(Duration.ofHours(-1));
        StatusSequencer skewed = new StatusSequencer(clock);
        skewed.observe("pod", b);
        assertThat(skewed.next("pod")).isEqualTo(b + 1);
    }
}
