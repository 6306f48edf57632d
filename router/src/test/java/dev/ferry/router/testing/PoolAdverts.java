package dev.ferry.router.testing;

import dev.ferry.events.Backend;
import dev.ferry.events.PoolAdvert;
import dev.ferry.events.PoolState;
import dev.ferry.events.Taint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Test builder for pool adverts as an executor writes them:
 * {@code PoolAdverts.pool("gpu-a").site("hpc").allocatable("nvidia.com/gpu", "4").advert()}.
 */
public final class PoolAdverts {
    public static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private final String poolId;
    private String site = "site-a";
    private Backend backend = Backend.SLURM;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<Taint> taints = new ArrayList<>();
    private final Map<String, String> allocatable = new LinkedHashMap<>();
    private PoolState state = PoolState.READY;
    private Instant heartbeatAt = AT;
    private int ttlSeconds = 3600;
    private final List<String> namespaces = new ArrayList<>();
    private Long maxWalltime;
    private String message;

    private PoolAdverts(String poolId) {
        this.poolId = poolId;
    }

    /** A READY Slurm pool at {@code site-a} with 8 cpu and 32Gi, heartbeat at {@link #AT} valid for an hour. */
    public static PoolAdverts pool(String poolId) {
        PoolAdverts b = new PoolAdverts(poolId);
        b.allocatable.put("cpu", "8");
        b.allocatable.put("memory", "32Gi");
        return b;
    }

    public PoolAdverts site(String site) {
        this.site = site;
        return this;
    }

    public PoolAdverts backend(Backend backend) {
        this.backend = backend;
        return this;
    }

    public PoolAdverts label(String key, String value) {
        labels.put(key, value);
        return this;
    }

    public PoolAdverts taint(String key, String value, String effect) {
        taints.add(Taint.newBuilder().setKey(key).setValue(value).setEffect(effect).build());
        return this;
    }

    /** Sets one resource; {@link #only} first to drop the default cpu and memory. */
    public PoolAdverts allocatable(String resource, String quantity) {
        allocatable.put(resource, quantity);
        return this;
    }

    public PoolAdverts only() {
        allocatable.clear();
        return this;
    }

    public PoolAdverts state(PoolState state, String message) {
        this.state = state;
        this.message = message;
        return this;
    }

    public PoolAdverts heartbeat(Instant at, int ttlSeconds) {
        this.heartbeatAt = at;
        this.ttlSeconds = ttlSeconds;
        return this;
    }

    public PoolAdverts namespaces(String... allowed) {
        namespaces.addAll(List.of(allowed));
        return this;
    }

    public PoolAdverts maxWalltime(long seconds) {
        this.maxWalltime = seconds;
        return this;
    }

    public PoolAdvert advert() {
        Map<String, String> allLabels = new LinkedHashMap<>(labels);
        allLabels.put("ferry.dev/site", site);
        allLabels.put("ferry.dev/pool", poolId);
        allLabels.put("ferry.dev/backend", backend.name().toLowerCase(Locale.ROOT));
        return PoolAdvert.newBuilder()
                .setPoolId(poolId)
                .setSite(site)
                .setBackend(backend)
                .setLabels(allLabels)
                .setTaints(List.copyOf(taints))
                .setCapacity(Map.copyOf(allocatable))
                .setAllocatable(Map.copyOf(allocatable))
                .setState(state)
                .setHeartbeatAt(heartbeatAt)
                .setHeartbeatTtlSeconds(ttlSeconds)
                .setAllowedNamespaces(List.copyOf(namespaces))
                .setMaxWalltimeSeconds(maxWalltime)
                .setMessage(message)
                .build();
    }
}
