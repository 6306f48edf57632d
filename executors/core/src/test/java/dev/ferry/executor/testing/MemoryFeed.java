package dev.ferry.executor.testing;

import dev.ferry.events.JobCommand;
import dev.ferry.executor.JobFeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An in-memory {@code jobs.<site>} with one partition: commands, a committed offset, rewind. */
public final class MemoryFeed implements JobFeed {
    private final List<JobCommand> log = new ArrayList<>();
    private long position;
    private long committed;
    private int polls;

    public synchronized void add(JobCommand command) {
        log.add(command);
    }

    @Override
    public synchronized List<Incoming> poll(Duration timeout) {
        polls++;
        List<Incoming> out = new ArrayList<>();
        while (position < log.size()) {
            out.add(new Incoming(new Position("jobs", 0, position), log.get((int) position)));
            position++;
        }
        return out;
    }

    @Override
    public synchronized void commit(List<Position> positions) {
        positions.forEach(p -> committed = Math.max(committed, p.offset() + 1));
    }

    @Override
    public synchronized void rewind(Position p) {
        position = p.offset();
    }

    /** Like a restarted consumer: continue from the committed offset. */
    public synchronized void restartFromCommitted() {
        position = committed;
    }

    public synchronized long committed() {
        return committed;
    }

    public synchronized int polls() {
        return polls;
    }

    @Override
    public void close() {
    }
}
