package dev.ferry.router;

import dev.ferry.events.PoolAdvert;
import dev.ferry.router.model.InvalidQuantityException;
import dev.ferry.router.model.PoolSpec;
import dev.ferry.router.model.PoolState;
import dev.ferry.router.model.Quantity;
import dev.ferry.router.model.Resources;
import dev.ferry.router.model.Taint;
import dev.ferry.schema.TopicsConfig;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Reads a {@link PoolAdvert} (the Avro event) into the router's {@link PoolSpec}. A defective advert (a quantity
 * that is not one, an illegal site name) still becomes a spec, with its defects listed, so the pool shows up in
 * decisions with the reason it receives no pods.
 */
public final class Adverts {

    private Adverts() {
    }

    public static PoolSpec spec(PoolAdvert advert) {
        List<String> defects = new ArrayList<>();
        Map<String, BigDecimal> allocatable = new TreeMap<>();
        advert.getAllocatable().forEach((name, text) -> {
            try {
                allocatable.put(name, Quantity.parseResource(text).value());
            } catch (InvalidQuantityException e) {
                defects.add("allocatable." + name + ": " + e.getMessage());
            }
        });
        try {
            TopicsConfig.requireLegalSite(advert.getSite());
        } catch (IllegalArgumentException e) {
            defects.add(e.getMessage());
        }
        PoolState state = switch (advert.getState()) {
            case READY -> PoolState.READY;
            case DRAINING -> PoolState.DRAINING;
            case DOWN -> PoolState.DOWN;
            default -> PoolState.UNKNOWN;
        };
        Long walltime = advert.getMaxWalltimeSeconds();
        return new PoolSpec(
                advert.getPoolId(),
                advert.getSite(),
                advert.getBackend().name(),
                advert.getLabels(),
                advert.getTaints().stream().map(t -> new Taint(t.getKey(), t.getValue(), t.getEffect())).toList(),
                Resources.of(allocatable),
                state,
                advert.getHeartbeatAt(),
                Duration.ofSeconds(Math.max(0, advert.getHeartbeatTtlSeconds())),
                new HashSet<>(advert.getAllowedNamespaces()),
                walltime == null ? OptionalLong.empty() : OptionalLong.of(walltime),
                advert.getMessage(),
                defects);
    }
}
