package dev.ferry.router.model;

import java.util.Objects;

/**
 * A pool's taint, as on a Kubernetes node: pods that do not tolerate a {@code NoSchedule} or {@code NoExecute}
 * taint are not placed on the pool; {@code PreferNoSchedule} never blocks.
 *
 * @param key    the taint key
 * @param value  the value; empty when none
 * @param effect {@code NoSchedule}, {@code PreferNoSchedule} or {@code NoExecute}
 */
public record Taint(String key, String value, String effect) {

    public Taint {
        Objects.requireNonNull(key, "key");
        value = value == null ? "" : value;
        effect = effect == null ? "" : effect;
    }

    /** True when a pod must tolerate this taint to be placed on the pool. */
    public boolean blocksScheduling() {
        return !"PreferNoSchedule".equals(effect);
    }

    /** {@code key=value:Effect}, as kubectl prints it. */
    @Override
    public String toString() {
        return key + (value.isEmpty() ? "" : "=" + value) + (effect.isEmpty() ? "" : ":" + effect);
    }
}
