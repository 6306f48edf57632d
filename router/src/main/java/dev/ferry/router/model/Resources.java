package dev.ferry.router.model;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Amounts of named resources ({@code cpu} in cores, {@code memory} and {@code ephemeral-storage} in bytes,
 * {@code nvidia.com/gpu} and other extended resources in devices), immutable and ordered by name. A resource that
 * is absent has the amount zero; zero amounts are not stored, so equal vectors are equal.
 */
public final class Resources {

    public static final Resources NONE = new Resources(new TreeMap<>());

    private final TreeMap<String, BigDecimal> amounts;

    private Resources(TreeMap<String, BigDecimal> amounts) {
        this.amounts = amounts;
    }

    /** From exact amounts; zero amounts are dropped. */
    public static Resources of(Map<String, BigDecimal> amounts) {
        TreeMap<String, BigDecimal> copy = new TreeMap<>();
        amounts.forEach((name, amount) -> {
            Objects.requireNonNull(name, "resource name");
            if (amount.signum() != 0) {
                copy.put(name, amount.stripTrailingZeros());
            }
        });
        return copy.isEmpty() ? NONE : new Resources(copy);
    }

    /** Convenience for tests and examples: {@code Resources.parse(Map.of("cpu", "500m"))}. */
    public static Resources parse(Map<String, String> quantities) {
        TreeMap<String, BigDecimal> parsed = new TreeMap<>();
        quantities.forEach((name, text) -> parsed.put(name, Quantity.parseResource(text).value()));
        return of(parsed);
    }

    /** The amount of {@code name}; zero when absent. */
    public BigDecimal get(String name) {
        return amounts.getOrDefault(name, BigDecimal.ZERO);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(amounts.keySet());
    }

    public Map<String, BigDecimal> asMap() {
        return Collections.unmodifiableMap(amounts);
    }

    public boolean isEmpty() {
        return amounts.isEmpty();
    }

    public Resources plus(Resources other) {
        return combine(other, 1);
    }

    public Resources minus(Resources other) {
        return combine(other, -1);
    }

    /** Per resource, the larger of the two amounts. */
    public Resources max(Resources other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        TreeMap<String, BigDecimal> result = new TreeMap<>(amounts);
        other.amounts.forEach((name, amount) -> result.merge(name, amount, BigDecimal::max));
        return of(result);
    }

    private Resources combine(Resources other, int sign) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty() && sign > 0) {
            return other;
        }
        TreeMap<String, BigDecimal> result = new TreeMap<>(amounts);
        other.amounts.forEach((name, amount) -> result.merge(name, sign > 0 ? amount : amount.negate(), BigDecimal::add));
        return of(result);
    }

    /** True when every amount here is at most the same resource's amount in {@code limit}. */
    public boolean fitsWithin(Resources limit) {
        for (Map.Entry<String, BigDecimal> e : amounts.entrySet()) {
            if (e.getValue().compareTo(limit.get(e.getKey())) > 0) {
                return false;
            }
        }
        return true;
    }

    /** True when some amount is negative (a ledger that went wrong, or a difference that did not fit). */
    public boolean anyNegative() {
        return amounts.values().stream().anyMatch(v -> v.signum() < 0);
    }

    /** The resources whose amount here exceeds {@code limit}'s, as {@code needs X=a, pool offers b} phrases. */
    public List<String> shortfalls(Resources limit, String offerWord) {
        List<String> shortfalls = new ArrayList<>();
        for (Map.Entry<String, BigDecimal> e : amounts.entrySet()) {
            BigDecimal offered = limit.get(e.getKey());
            if (e.getValue().compareTo(offered) > 0) {
                shortfalls.add("needs " + e.getKey() + "=" + Quantity.format(e.getValue()) + ", " + offerWord + " "
                        + Quantity.format(offered));
            }
        }
        return shortfalls;
    }

    /** Names present in either. */
    public Set<String> union(Resources other) {
        Set<String> names = new TreeSet<>(amounts.keySet());
        names.addAll(other.amounts.keySet());
        return names;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Resources r && amounts.equals(r.amounts);
    }

    @Override
    public int hashCode() {
        return amounts.hashCode();
    }

    /** {@code cpu=500m, memory=2Gi}. */
    @Override
    public String toString() {
        StringJoiner joiner = new StringJoiner(", ");
        amounts.forEach((name, amount) -> joiner.add(name + "=" + Quantity.format(amount)));
        return amounts.isEmpty() ? "nothing" : joiner.toString();
    }
}
