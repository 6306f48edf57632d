package dev.ferry.gateway.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * Copies a {@link LogCursor} to an output stream the way the kubelet serves {@code containerLogs}: the last
 * {@code tailLines} of what exists, then (with {@code follow}) new lines as they come, flushed batch by batch; lines
 * older than {@code since} dropped after tailing (the kubelet tails first); a timestamp before each line; at most
 * {@code limitBytes} bytes in all, the last line cut if need be. Pure streaming logic, no HTTP.
 */
final class LogCopier {

    /** The kubelet's {@code timestamps=true} format: RFC 3339 with nanoseconds, always nine digits. */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX")
            .withZone(ZoneOffset.UTC);

    private final LogCursor cursor;
    private final LogQuery query;
    private final OutputStream out;
    private final BooleanSupplier stopping;
    private final Duration wait;
    private final Duration catchUpLimit;
    private long remaining;

    /**
     * @param catchUpLimit how long the cursor may take to catch up with what its log held; a source that cannot be
     *                     read (Kafka down) must not hold the request, and its thread, forever
     */
    LogCopier(LogCursor cursor, LogQuery query, OutputStream out, BooleanSupplier stopping, Duration wait,
              Duration catchUpLimit) {
        this.cursor = cursor;
        this.query = query;
        this.out = out;
        this.stopping = stopping;
        this.wait = wait;
        this.catchUpLimit = catchUpLimit;
        this.remaining = query.limitBytes().orElse(Long.MAX_VALUE);
    }

    /**
     * Copies until the log is done for this request: caught up (without follow), ended, the byte limit reached, or
     * {@code stopping} true.
     *
     * @return false when it gave up because the cursor did not catch up within the limit (the output is incomplete)
     * @throws IOException when writing fails: the client went away
     */
    boolean run() throws IOException, InterruptedException {
        Deque<LogLine> tail = query.tailLines().isPresent() ? new ArrayDeque<>() : null;
        long tailLines = query.tailLines().orElse(0);
        long catchUpBy = System.nanoTime() + catchUpLimit.toNanos();
        boolean caughtUp = false;
        while (!stopping.getAsBoolean()) {
            LogBatch batch = cursor.next(wait);
            caughtUp |= batch.caughtUp();
            if (!caughtUp && System.nanoTime() - catchUpBy > 0) {
                out.flush();
                return false;
            }
            boolean wrote = false;
            for (LogLine line : batch.lines()) {
                if (tail != null) {
                    tail.addLast(line);
                    if (tail.size() > tailLines) {
                        tail.removeFirst();
                    }
                } else {
                    wrote |= write(line);
                    if (remaining == 0) {
                        out.flush();
                        return true;
                    }
                }
            }
            if (tail != null && batch.caughtUp()) {
                for (LogLine line : tail) {
                    wrote |= write(line);
                    if (remaining == 0) {
                        out.flush();
                        return true;
                    }
                }
                tail = null;
            }
            if (wrote) {
                out.flush();
            }
            if (batch.ended() || batch.caughtUp() && !query.follow()) {
                return true;
            }
        }
        return true;
    }

    /** Writes one line (if it is not older than {@code since}); returns whether anything was written. */
    private boolean write(LogLine line) throws IOException {
        if (query.since().isPresent() && line.at().isBefore(query.since().get())) {
            return false;
        }
        if (query.timestamps()) {
            writeLimited((TIMESTAMP.format(line.at()) + " ").getBytes(StandardCharsets.US_ASCII));
        }
        writeLimited(line.bytes());
        return true;
    }

    private void writeLimited(byte[] bytes) throws IOException {
        int n = (int) Math.min(bytes.length, remaining);
        if (n > 0) {
            out.write(bytes, 0, n);
            remaining -= n;
        }
    }

    static String timestamp(Instant at) {
        return TIMESTAMP.format(at);
    }
}
