package dev.ferry.executor.slurm.model;

import dev.ferry.executor.model.Quantities;
import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.executor.spi.PoolInfo.PoolCondition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One pool per Slurm partition, from {@code sinfo -h -N -O }{@link #FORMAT}: one line per node and
 * partition with its CPUs, memory, GPUs, what is allocated, its state and the partition's limits.
 */
public final class SinfoPools {

    /** The sinfo {@code -O} format; fields separated by '|'. */
    public static final String FORMAT = "Partition:|,NodeList:|,CPUs:|,Memory:|,AllocMem:|,Gres:|,GresUsed:|,StateLong:|,CPUsState:|,Time:|,Available:";

    private static final Set<String> UNUSABLE = Set.of("down", "drained", "draining", "drain", "fail", "failing", "maint",
            "inval", "future", "unknown", "power_down", "powered_down", "powering_down", "reboot_issued", "reboot_requested", "planned");

    private SinfoPools() {
    }

    /**
     * The pools in {@code sinfo}'s output.
     *
     * @param only    partitions to keep; empty keeps all
     * @param gpuGres the GRES name of GPUs
     */
    public static List<PoolInfo> parse(String stdout, List<String> only, String gpuGres) {
        Map<String, Acc> byPartition = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 11 || f[0].isEmpty()) {
                continue;
            }
            String partition = f[0].endsWith("*") ? f[0].substring(0, f[0].length() - 1) : f[0];
            if (!only.isEmpty() && !only.contains(partition)) {
                continue;
            }
            Acc acc = byPartition.computeIfAbsent(partition, p -> new Acc());
            acc.timeLimit = f[9].strip();
            acc.available = f[10].strip().toLowerCase(Locale.ROOT);
            String node = f[1].strip();
            if (!acc.nodes.add(node)) {
                continue;
            }
            long cpus = number(f[2]);
            long memMb = number(f[3]);
            long allocMb = number(f[4]);
            long gpus = gpuCount(f[5], gpuGres);
            long gpusUsed = gpuCount(f[6], gpuGres);
            String state = f[7].strip().toLowerCase(Locale.ROOT);
            boolean notResponding = state.endsWith("*");
            String base = state.replaceAll("[*~#!%$@^\\-]+$", "");
            acc.cpus += cpus;
            acc.memMb += memMb;
            acc.gpus += gpus;
            if (!notResponding && !UNUSABLE.contains(base)) {
                acc.usableNodes++;
                String[] cpuState = f[8].strip().split("/");
                long idle = cpuState.length == 4 ? number(cpuState[1]) : 0;
                acc.freeCpus += idle;
                acc.freeMemMb += Math.max(0, memMb - allocMb);
                acc.freeGpus += Math.max(0, gpus - gpusUsed);
            } else {
                acc.unusable.add(node + " " + state);
            }
        }
        List<PoolInfo> pools = new ArrayList<>();
        byPartition.forEach((partition, acc) -> {
            Map<String, String> capacity = new LinkedHashMap<>();
            capacity.put("cpu", Long.toString(acc.cpus));
            capacity.put("memory", Quantities.mebibytes(acc.memMb));
            capacity.put("nvidia.com/gpu", Long.toString(acc.gpus));
            capacity.put("nodes", Long.toString(acc.nodes.size()));
            Map<String, String> allocatable = new LinkedHashMap<>();
            allocatable.put("cpu", Long.toString(acc.freeCpus));
            allocatable.put("memory", Quantities.mebibytes(acc.freeMemMb));
            allocatable.put("nvidia.com/gpu", Long.toString(acc.freeGpus));
            allocatable.put("nodes", Long.toString(acc.usableNodes));
            PoolCondition condition;
            String message = "";
            switch (acc.available) {
                case "up" -> {
                    if (acc.usableNodes == 0) {
                        condition = PoolCondition.DOWN;
                        message = "no usable node in partition " + partition + ": " + String.join(", ", acc.unusable);
                    } else {
                        condition = PoolCondition.READY;
                    }
                }
                case "drain" -> {
                    condition = PoolCondition.DRAINING;
                    message = "partition " + partition + " is draining (runs its jobs, takes no new ones)";
                }
                default -> {
                    condition = PoolCondition.DOWN;
                    message = "partition " + partition + " is " + acc.available;
                }
            }
            pools.add(new PoolInfo(partition, capacity, allocatable, condition, SlurmStates.parseDuration(acc.timeLimit),
                    Map.of("slurm.ferry.dev/partition", partition), message));
        });
        return pools;
    }

    /** GPUs in a GRES string such as {@code gpu:4}, {@code gpu:a100:2(S:0-1)}, {@code gpu:0(IDX:N/A)}, {@code (null)}. */
    static long gpuCount(String gres, String gpuGres) {
        long total = 0;
        for (String entry : gres.strip().split(",(?![^()]*\\))")) {
            String e = entry.strip();
            int paren = e.indexOf('(');
            if (paren >= 0) {
                e = e.substring(0, paren);
            }
            String[] parts = e.split(":");
            if (parts.length >= 2 && parts[0].equals(gpuGres)) {
                total += number(parts[parts.length - 1]);
            }
        }
        return total;
    }

    private static long number(String text) {
        String t = text.strip();
        StringBuilder digits = new StringBuilder();
        for (char c : t.toCharArray()) {
            if (Character.isDigit(c)) {
                digits.append(c);
            } else {
                break;
            }
        }
        return digits.length() == 0 ? 0 : Long.parseLong(digits.toString());
    }

    private static final class Acc {
        final Set<String> nodes = new HashSet<>();
        final List<String> unusable = new ArrayList<>();
        long cpus;
        long memMb;
        long gpus;
        long freeCpus;
        long freeMemMb;
        long freeGpus;
        long usableNodes;
        String timeLimit = "";
        String available = "up";
    }
}
