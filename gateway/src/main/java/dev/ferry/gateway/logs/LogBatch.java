package dev.ferry.gateway.logs;

import java.util.List;

/**
 * What a {@link LogCursor} returns at each step.
 *
 * @param lines    the lines that arrived, in order (may be empty)
 * @param caughtUp every line the log held when the cursor was opened has now been returned (by this batch or an
 *                 earlier one); once true it stays true. A request without {@code follow} ends here, and
 *                 {@code tailLines} counts back from here.
 * @param ended    the container's output is complete (its streams reached their end): no later batch has lines.
 *                 Implies {@code caughtUp}.
 */
public record LogBatch(List<LogLine> lines, boolean caughtUp, boolean ended) {

    public LogBatch {
        lines = List.copyOf(lines);
        if (ended && !caughtUp) {
            throw new IllegalArgumentException("an ended log is caught up too");
        }
    }

    /** Nothing new yet. */
    public static LogBatch nothing(boolean caughtUp) {
        return new LogBatch(List.of(), caughtUp, false);
    }
}
