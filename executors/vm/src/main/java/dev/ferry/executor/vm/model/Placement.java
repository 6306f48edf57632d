package dev.ferry.executor.vm.model;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which host of a pool a pod goes to: among the reachable hosts whose capacity can hold it, the
 * one with the most room left after placing it (CPU first, then memory); when none has room now,
 * the one with the least overcommitment (the router reserves pool capacity, so this is rare and
 * temporary). A pod bigger than every host can never run in the pool.
 */
public final class Placement {

    private Placement() {
    }

    /**
     * A host as placement sees it.
     *
     * @param name     the host's name
     * @param capacity what it has
     * @param used     what the pods running there requested
     */
    public record Candidate(String name, Resources capacity, Resources used) {
        Resources free() {
            return capacity.minus(used);
        }
    }

    /** The decision: a host, or why there is none. */
    public record Choice(Optional<String> host, String reason) {
    }

    /** Chooses a host for a pod that needs {@code need}. */
    public static Choice choose(List<Candidate> candidates, Resources need) {
        if (candidates.isEmpty()) {
            return new Choice(Optional.empty(), "no host of the pool is reachable");
        }
        List<Candidate> big = candidates.stream().filter(c -> c.capacity().fits(need)).toList();
        if (big.isEmpty()) {
            Candidate largest = candidates.stream().max(Comparator.comparingLong((Candidate c) -> c.capacity().milliCpu())
                    .thenComparingLong(c -> c.capacity().memory())).orElseThrow();
            return new Choice(Optional.empty(), "the pod requests " + describe(need) + " but the largest host (" + largest.name()
                    + ") has " + describe(largest.capacity()));
        }
        Comparator<Candidate> roomiest = Comparator.comparingLong((Candidate c) -> c.free().minus(need).milliCpu())
                .thenComparingLong(c -> c.free().minus(need).memory())
                .thenComparing(Candidate::name, Comparator.reverseOrder());
        Optional<Candidate> fitting = big.stream().filter(c -> c.free().fits(need)).max(roomiest);
        if (fitting.isPresent()) {
            return new Choice(Optional.of(fitting.get().name()), "fits");
        }
        Candidate least = big.stream().max(roomiest).orElseThrow();
        return new Choice(Optional.of(least.name()), "overcommitted: no host has room now");
    }

    /** {@code 2 CPUs, 4096 MiB, 1 GPU}. */
    public static String describe(Resources r) {
        String cpu = r.milliCpu() % 1000 == 0 ? Long.toString(r.milliCpu() / 1000) : String.format("%.3f", r.milliCpu() / 1000.0);
        return cpu + " CPUs, " + (r.memory() >> 20) + " MiB memory, " + r.gpus() + " GPUs";
    }
}
