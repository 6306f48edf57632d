package dev.ferry.executor;

import dev.ferry.events.PodStatusEvent;
import java.time.Instant;
import java.util.Map;

/**
 * What this site's executors published before: the last {@code PodStatusEvent} per pod (by
 * attempt, then sequence) written by an executor of {@code site} since {@code since}. Read once on
 * start, so a restarted executor knows which pods it was running, which it already reported as
 * finished, and which sequence numbers it used.
 */
public interface StatusHistory {

    Map<String, PodStatusEvent> lastBySite(String site, Instant since);

    /** No history (a site's first start, or tests). */
    static StatusHistory none() {
        return (site, since) -> Map.of();
    }
}
