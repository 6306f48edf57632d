package dev.ferry.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.executor.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogBudgetTest {
    @Test
    void refillsAtTheConfiguredRateUpToOneSecond() {
        ManualClock clock = new ManualClock(Instant.EPOCH);
        LogBudget budget = new LogBudget(clock, 1000);
        assertThat(budget.available()).isEqualTo(1000);
        budget.take(1000);
        assertThat(budget.available()).isZero();
        clock.advance(Duration.ofMillis(500));
        assertThat(budget.available()).isEqualTo(500);
        clock.advance(Duration.ofSeconds(10));
        assertThat(budget.available()).isEqualTo(1000);
    }
}
