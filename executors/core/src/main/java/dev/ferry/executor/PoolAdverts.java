package dev.ferry.executor;

import dev.ferry.events.Backend;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.PoolState;
import dev.ferry.events.Taint;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.spi.PoolInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** Builds {@code PoolAdvert}s from what the backend discovered; pure. */
public final class PoolAdverts {

    private PoolAdverts() {
    }

    /** The advert for one pool; {@code down} overrides the state with DOWN and the message. */
    public static PoolAdvert build(String site, String backendType, String executorId, PoolInfo pool,
                                   SiteConfig.PoolSettings settings, Duration ttl, Instant now, String downMessage) {
        Map<String, String> labels = new LinkedHashMap<>(pool.labels());
        labels.putAll(settings.labels());
        String poolId = Intents.poolId(site, pool.name());
        labels.put("ferry.dev/site", site);
        labels.put("ferry.dev/pool", poolId);
        labels.put("ferry.dev/backend", backendType);
        List<Taint> taints = settings.taints().stream()
                .map(t -> Taint.newBuilder().setKey(t.key()).setValue(t.value()).setEffect(t.effect()).build())
                .toList();
        PoolState state = downMessage != null ? PoolState.DOWN : switch (pool.state()) {
            case READY -> PoolState.READY;
            case DRAINING -> PoolState.DRAINING;
            case DOWN -> PoolState.DOWN;
        };
        String message = downMessage != null ? downMessage : pool.message().isEmpty() ? null : pool.message();
        return PoolAdvert.newBuilder()
                .setPoolId(poolId)
                .setSite(site)
                .setBackend(backend(backendType))
                .setLabels(labels)
                .setTaints(taints)
                .setCapacity(pool.capacity())
                .setAllocatable(downMessage != null ? Map.of() : pool.allocatable())
                .setState(state)
                .setHeartbeatAt(now.truncatedTo(ChronoUnit.MILLIS))
                .setHeartbeatTtlSeconds((int) ttl.toSeconds())
                .setAllowedNamespaces(settings.allowedNamespaces())
                .setMaxWalltimeSeconds(pool.maxWalltime().map(Duration::toSeconds).orElse(null))
                .setExecutorId(executorId)
                .setMessage(message)
                .build();
    }

    /** The advert without its heartbeat, for "did anything change?". */
    public static PoolAdvert fingerprint(PoolAdvert advert) {
        return PoolAdvert.newBuilder(advert).setHeartbeatAt(Instant.EPOCH).build();
    }

    private static Backend backend(String type) {
        try {
            return Backend.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Backend.UNKNOWN;
        }
    }
}
