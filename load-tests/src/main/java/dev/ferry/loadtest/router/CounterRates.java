package dev.ferry.loadtest.router;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Named counters that only grow (CPU ticks per thread, requests per type), read at {@link #start} and again at
 * {@link #perSecond}: how fast each grew in between. A counter that appeared meanwhile counts from zero.
 */
final class CounterRates {

    private final Supplier<Map<String, Long>> read;
    private final Map<String, Long> before;
    private final long startNanos;

    private CounterRates(Supplier<Map<String, Long>> read) {
        this.read = read;
        this.before = read.get();
        this.startNanos = System.nanoTime();
    }

    static CounterRates start(Supplier<Map<String, Long>> read) {
        return new CounterRates(read);
    }

    /** Each counter's growth per second since {@link #start}; empty when nothing can be read now. */
    Map<String, Double> perSecond() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Long> now = read.get();
        Map<String, Double> rates = new HashMap<>();
        if (seconds > 0) {
            now.forEach((name, value) -> rates.put(name, (value - before.getOrDefault(name, 0L)) / seconds));
        }
        return rates;
    }
}
