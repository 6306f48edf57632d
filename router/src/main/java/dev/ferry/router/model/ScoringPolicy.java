package dev.ferry.router.model;

import java.util.Locale;

/**
 * How the router chooses among pools that can run a pod now. Both score a pool by the fraction of the pod's
 * scarcest requested resource that would remain free after placing it: {@code min over r of
 * (allocatable[r] - reserved[r] - request[r]) / allocatable[r]} (for a pod that requests nothing, over cpu and
 * memory, without subtracting).
 */
public enum ScoringPolicy {
    /** Prefer the pool with the most left over: spreads load, keeps room for large pods everywhere. The default. */
    SPREAD,
    /** Prefer the pool with the least left over: fills pools one by one, keeps whole pools free. */
    BIN_PACK;

    /** {@code spread} or {@code bin-pack} (case-insensitive, {@code _} for {@code -} too). */
    public static ScoringPolicy parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "spread" -> SPREAD;
            case "bin-pack", "binpack" -> BIN_PACK;
            default -> throw new IllegalArgumentException("must be spread or bin-pack, was '" + text + "'");
        };
    }

    public String configValue() {
        return this == SPREAD ? "spread" : "bin-pack";
    }
}
