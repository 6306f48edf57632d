package dev.ferry.executor.vm.model;

import dev.ferry.executor.model.Quantities;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.PodJob;
import java.util.List;
import java.util.Map;

/**
 * What a pod needs, or a host has: CPUs in millicores, memory in bytes, GPUs.
 *
 * @param milliCpu CPUs in millicores
 * @param memory   bytes
 * @param gpus     whole GPUs
 */
public record Resources(long milliCpu, long memory, long gpus) {

    /** Nothing. */
    public static final Resources NONE = new Resources(0, 0, 0);

    private static final List<String> GPU_RESOURCES = List.of("nvidia.com/gpu", "amd.com/gpu", "gpu");

    public Resources plus(Resources other) {
        return new Resources(milliCpu + other.milliCpu, memory + other.memory, gpus + other.gpus);
    }

    public Resources minus(Resources other) {
        return new Resources(milliCpu - other.milliCpu, memory - other.memory, gpus - other.gpus);
    }

    /** Whether {@code need} fits in this. */
    public boolean fits(Resources need) {
        return need.milliCpu <= milliCpu && need.memory <= memory && need.gpus <= gpus;
    }

    /** Never below zero. */
    public Resources atLeastZero() {
        return new Resources(Math.max(0, milliCpu), Math.max(0, memory), Math.max(0, gpus));
    }

    /** The {@code resources} file of a job directory: {@code cpu=MILLI mem=BYTES gpu=N}. */
    public String toFile() {
        return "cpu=" + milliCpu + " mem=" + memory + " gpu=" + gpus + "\n";
    }

    /** Parses {@code cpu=... mem=... gpu=...} fields; missing or bad ones count as 0. */
    public static Resources fromFields(Map<String, String> fields) {
        return new Resources(number(fields.get("cpu")), number(fields.get("mem")), number(fields.get("gpu")));
    }

    /** As Kubernetes quantities: {@code cpu}, {@code memory}, and {@code nvidia.com/gpu} when there are GPUs. */
    public Map<String, String> toQuantities() {
        String cpu = milliCpu % 1000 == 0 ? Long.toString(milliCpu / 1000) : milliCpu + "m";
        String mem = Quantities.mebibytes(memory >> 20);
        return gpus > 0 ? Map.of("cpu", cpu, "memory", mem, "nvidia.com/gpu", Long.toString(gpus)) : Map.of("cpu", cpu, "memory", mem);
    }

    /**
     * Kubernetes' effective pod request: per resource the larger of the sum over containers and
     * the largest init container; a container's limit counts where it has one, else its request.
     *
     * @throws BackendException {@code REJECTED} naming the container and quantity that is not one
     */
    public static Resources of(PodJob pod) throws BackendException {
        long cpu = podResource(pod, List.of("cpu"), Quantities::milliCpu);
        long mem = podResource(pod, List.of("memory"), Quantities::bytes);
        long gpus = podResource(pod, GPU_RESOURCES, Quantities::count);
        return new Resources(cpu, mem, gpus);
    }

    private interface Parser {
        long parse(String quantity);
    }

    private static long podResource(PodJob pod, List<String> names, Parser parser) throws BackendException {
        long sum = 0;
        for (PodJob.ContainerSpec c : pod.containers()) {
            sum += containerResource(c, names, parser);
        }
        long initMax = 0;
        for (PodJob.ContainerSpec c : pod.initContainers()) {
            initMax = Math.max(initMax, containerResource(c, names, parser));
        }
        return Math.max(sum, initMax);
    }

    private static long containerResource(PodJob.ContainerSpec c, List<String> names, Parser parser) throws BackendException {
        long total = 0;
        for (String name : names) {
            Map<String, String> source = c.limits().containsKey(name) ? c.limits() : c.requests();
            String q = source.get(name);
            if (q == null) {
                continue;
            }
            try {
                total += parser.parse(q);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw BackendException.rejected("InvalidResource", "container " + c.name() + ": " + name + " " + e.getMessage());
            }
        }
        return total;
    }

    private static long number(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
