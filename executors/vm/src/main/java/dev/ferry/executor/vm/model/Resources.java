package dev.ferry.executor.vm.model;

import dev.ferry.executor.model.Quantities;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.PodJob;
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
        long cpu = pod.effective("cpu", Quantities::milliCpu);
        long mem = pod.effective("memory", Quantities::bytes);
        long gpus = pod.effectiveGpus(Quantities::count);
        return new Resources(cpu, mem, gpus);
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
