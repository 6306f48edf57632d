package dev.ferry.executor.config;

import dev.ferry.schema.ConfigException;
import java.time.Duration;

/**
 * The runtime's settings ({@code executor:} in {@code site.yaml}); every field has a default.
 *
 * @param id                an id for this executor in pool adverts and logs; default the host name
 * @param pollInterval      how often the backend is asked for the state of all tracked jobs (one query per interval); default 1s
 * @param poolInterval      how often pools are advertised even when nothing changed; default 30s
 * @param poolHeartbeatTtl  how long an advert stays valid; default three pool intervals
 * @param lostAfter         a job the backend has no record of for this long is reported Failed (reason Lost); default 60s
 * @param recoveryLookback  how far back the runtime reads {@code pod-status} on start to find the pods it was running; default 7d
 * @param retryBackoff      how long to wait before retrying when the backend is unreachable; default 5s
 * @param logs              log shipping limits
 */
public record ExecutorSettings(
        String id,
        Duration pollInterval,
        Duration poolInterval,
        Duration poolHeartbeatTtl,
        Duration lostAfter,
        Duration recoveryLookback,
        Duration retryBackoff,
        LogSettings logs) {

    public ExecutorSettings {
        pollInterval = positive("pollInterval", pollInterval, Duration.ofSeconds(1));
        poolInterval = positive("poolInterval", poolInterval, Duration.ofSeconds(30));
        poolHeartbeatTtl = positive("poolHeartbeatTtl", poolHeartbeatTtl, poolInterval.multipliedBy(3));
        lostAfter = positive("lostAfter", lostAfter, Duration.ofSeconds(60));
        recoveryLookback = positive("recoveryLookback", recoveryLookback, Duration.ofDays(7));
        retryBackoff = positive("retryBackoff", retryBackoff, Duration.ofSeconds(5));
        logs = logs == null ? LogSettings.defaults() : logs;
        if (poolHeartbeatTtl.compareTo(poolInterval) <= 0) {
            throw new ConfigException("poolHeartbeatTtl", "must be longer than poolInterval (" + poolInterval
                    + "), or every advert goes stale before the next one; was " + poolHeartbeatTtl);
        }
        if (poolHeartbeatTtl.toSeconds() > Integer.MAX_VALUE) {
            throw new ConfigException("poolHeartbeatTtl", "is too long");
        }
    }

    public static ExecutorSettings defaults() {
        return new ExecutorSettings(null, null, null, null, null, null, null, null);
    }

    /** The id, or {@code fallback} (the host name) when none is configured. */
    public String idOr(String fallback) {
        return id == null || id.isBlank() ? fallback : id;
    }

    public ExecutorSettings withPollInterval(Duration interval) {
        return new ExecutorSettings(id, interval, poolInterval, poolHeartbeatTtl, lostAfter, recoveryLookback, retryBackoff, logs);
    }

    public ExecutorSettings withPoolInterval(Duration interval) {
        return new ExecutorSettings(id, pollInterval, interval, interval.multipliedBy(3), lostAfter, recoveryLookback, retryBackoff, logs);
    }

    public ExecutorSettings withLostAfter(Duration after) {
        return new ExecutorSettings(id, pollInterval, poolInterval, poolHeartbeatTtl, after, recoveryLookback, retryBackoff, logs);
    }

    public ExecutorSettings withRetryBackoff(Duration backoff) {
        return new ExecutorSettings(id, pollInterval, poolInterval, poolHeartbeatTtl, lostAfter, recoveryLookback, backoff, logs);
    }

    /**
     * Log shipping.
     *
     * @param chunkBytes     largest {@code LogChunk} data; default 64 KiB
     * @param bytesPerSecond most bytes shipped per second by this executor, over all pods; default 1 MiB
     * @param interval       how often output files are read; default 1s
     */
    public record LogSettings(Integer chunkBytes, Long bytesPerSecond, Duration interval) {
        public LogSettings {
            chunkBytes = chunkBytes == null ? 64 * 1024 : chunkBytes;
            bytesPerSecond = bytesPerSecond == null ? 1024L * 1024 : bytesPerSecond;
            interval = positive("interval", interval, Duration.ofSeconds(1));
            if (chunkBytes < 1 || chunkBytes > 900 * 1024) {
                throw new ConfigException("chunkBytes", "must be between 1 and 921600 (Kafka's default message limit is 1 MiB), was " + chunkBytes);
            }
            if (bytesPerSecond < chunkBytes) {
                throw new ConfigException("bytesPerSecond", "must be at least chunkBytes (" + chunkBytes + "), was " + bytesPerSecond);
            }
        }

        public static LogSettings defaults() {
            return new LogSettings(null, null, null);
        }
    }

    private static Duration positive(String key, Duration value, Duration defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value.isZero() || value.isNegative()) {
            throw new ConfigException(key, "must be positive, was " + value);
        }
        return value;
    }
}
