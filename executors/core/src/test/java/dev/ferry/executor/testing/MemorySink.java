package dev.ferry.executor.testing;

import dev.ferry.events.LogChunk;
import dev.ferry.events.PodStatusEvent;
import dev.ferry.events.PoolAdvert;
import dev.ferry.executor.EventSink;
import dev.ferry.executor.StatusHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Collects events; doubles as the {@link StatusHistory} a restarted runtime reads back. */
public final class MemorySink implements EventSink, StatusHistory {
    private final List<PodStatusEvent> statuses = new ArrayList<>();
    private final List<LogChunk> logs = new ArrayList<>();
    private final List<PoolAdvert> pools = new ArrayList<>();
    private int flushes;

    @Override
    public synchronized void status(PodStatusEvent event) {
        statuses.add(event);
    }

    @Override
    public synchronized void log(LogChunk chunk) {
        logs.add(chunk);
    }

    @Override
    public synchronized void pool(PoolAdvert advert) {
        pools.add(advert);
    }

    @Override
    public synchronized void flush() {
        flushes++;
    }

    public synchronized List<PodStatusEvent> statuses() {
        return List.copyOf(statuses);
    }

    public synchronized List<PodStatusEvent> statuses(String uid) {
        return statuses.stream().filter(s -> s.getPod().getUid().equals(uid)).toList();
    }

    public synchronized List<LogChunk> logs() {
        return List.copyOf(logs);
    }

    public synchronized List<PoolAdvert> pools() {
        return List.copyOf(pools);
    }

    @Override
    public synchronized Map<String, PodStatusEvent> lastBySite(String site, Instant since) {
        Map<String, PodStatusEvent> last = new HashMap<>();
        for (PodStatusEvent e : statuses) {
            if (site.equals(e.getSite())) {
                last.merge(e.getPod().getUid(), e, (a, b) -> b.getAttempt() > a.getAttempt()
                        || b.getAttempt() == a.getAttempt() && b.getSequence() > a.getSequence() ? b : a);
            }
        }
        return last;
    }

    @Override
    public void close() {
    }
}
