package dev.ferry.gateway.logs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory {@link LogSource} for tests: lines are added (and logs ended) by the test while readers follow; every
 * cursor handed out is kept so a test can see it was closed.
 */
final class MemoryLogSource implements LogSource {

    private static final class Log {
        final List<LogLine> lines = new ArrayList<>();
        boolean ended;
    }

    /** A cursor and whether the server closed it. */
    final class Cursor implements LogCursor {
        private final Log log;
        private final int backlog;
        private int next;
        volatile boolean closed;
        final LogQuery query;

        Cursor(Log log, LogQuery query) {
            this.log = log;
            this.query = query;
            synchronized (MemoryLogSource.this) {
                this.backlog = log.lines.size();
            }
        }

        @Override
        public LogBatch next(Duration wait) throws InterruptedException {
            synchronized (MemoryLogSource.this) {
                long until = System.nanoTime() + wait.toNanos();
                while (next >= log.lines.size() && !log.ended && next >= backlog) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    MemoryLogSource.this.wait(Math.max(1, left / 1_000_000));
                }
                List<LogLine> lines = new ArrayList<>(log.lines.subList(next, log.lines.size()));
                next = log.lines.size();
                return new LogBatch(lines, true, log.ended);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final Map<LogTarget, Log> logs = new ConcurrentHashMap<>();
    final List<Cursor> cursors = new CopyOnWriteArrayList<>();

    synchronized MemoryLogSource add(LogTarget target, LogLine... lines) {
        logs.computeIfAbsent(target, t -> new Log()).lines.addAll(List.of(lines));
        notifyAll();
        return this;
    }

    synchronized void end(LogTarget target) {
        logs.computeIfAbsent(target, t -> new Log()).ended = true;
        notifyAll();
    }

    @Override
    public LogCursor open(LogTarget target, LogQuery query) throws LogNotFoundException {
        Log log = logs.get(target);
        if (log == null) {
            throw LogNotFoundException.pod(target);
        }
        Cursor cursor = new Cursor(log, query);
        cursors.add(cursor);
        return cursor;
    }
}
