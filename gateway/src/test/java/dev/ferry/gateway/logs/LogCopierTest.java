package dev.ferry.gateway.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kubelet's query semantics applied to a scripted cursor, no HTTP. */
class LogCopierTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    /** Hands out the scripted batches, then empty ones. */
    private static final class Scripted implements LogCursor {
        private final Deque<LogBatch> batches;
        int calls;

        Scripted(LogBatch... batches) {
            this.batches = new ArrayDeque<>(List.of(batches));
        }

        @Override
        public LogBatch next(Duration wait) {
            calls++;
            return batches.isEmpty() ? LogBatch.nothing(false) : batches.poll();
        }

        @Override
        public void close() {
        }
    }

    private static LogLine line(int second, String text) {
        return LogLine.of(T0.plusSeconds(second), text);
    }

    private static String copy(LogCursor cursor, String query) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LogCopier(cursor, LogQuery.parse(KubeletLogServer.params(query), T0.plusSeconds(60)), out, () -> false,
                Duration.ofMillis(1), Duration.ofSeconds(5)).run();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void tailCountsOverBatchesUntilCaughtUpThenFollowGoesOn() throws Exception {
        Scripted cursor = new Scripted(
                new LogBatch(List.of(line(1, "a\n"), line(2, "b\n")), false, false),
                new LogBatch(List.of(line(3, "c\n")), true, false),
                new LogBatch(List.of(line(4, "d\n")), true, true));

        assertThat(copy(cursor, "tailLines=2&follow=true")).isEqualTo("b\nc\nd\n");
    }

    @Test
    void tailComesBeforeSinceAsInTheKubelet() throws Exception {
        // lines out of time order: tail picks the last two ("late-old", "new"), then since drops "late-old"
        Scripted cursor = new Scripted(new LogBatch(List.of(line(50, "recent\n"), line(1, "late-old\n"),
                line(55, "new\n")), true, false));

        assertThat(copy(cursor, "tailLines=2&sinceTime=2026-03-01T12:00:30Z")).isEqualTo("new\n");
    }

    @Test
    void theByteLimitEndsAFollowingRequest() throws Exception {
        Scripted cursor = new Scripted(new LogBatch(List.of(line(1, "0123456789\n")), true, false));

        assertThat(copy(cursor, "follow=true&limitBytes=4")).isEqualTo("0123");
        assertThat(cursor.calls).isEqualTo(1);
    }

    @Test
    void aSourceThatNeverCatchesUpIsGivenUpOn() throws Exception {
        Scripted cursor = new Scripted(new LogBatch(List.of(line(1, "partial backlog\n")), false, false));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        boolean complete = new LogCopier(cursor, LogQuery.all(), out, () -> false, Duration.ofMillis(1),
                Duration.ofMillis(100)).run();

        assertThat(complete).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("partial backlog\n");
    }

    @Test
    void stoppingEndsTheCopy() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Scripted cursor = new Scripted();

        assertThat(new LogCopier(cursor, LogQuery.all().following(), out, () -> true, Duration.ofMillis(1),
                Duration.ofSeconds(5)).run()).isTrue();
        assertThat(cursor.calls).isZero();
    }

    @Test
    void queryParametersAreDecodedAndTheFirstValueWins() {
        assertThat(KubeletLogServer.params("sinceTime=2026-03-01T12%3A00%3A00Z&follow&tailLines=1&tailLines=2"))
                .isEqualTo(Map.of("sinceTime", "2026-03-01T12:00:00Z", "follow", "", "tailLines", "1"));
    }
}
