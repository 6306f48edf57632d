package dev.ferry.executor.htcondor.model;

import dev.ferry.executor.model.Quantities;
import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.executor.spi.PoolInfo.PoolCondition;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pool from the slots {@code condor_status -json} lists for it. Partitionable slots count with
 * their whole size ({@code TotalSlotCpus}, {@code TotalSlotMemory}, {@code TotalSlotGPUs}) as capacity
 * and what is not yet carved out of them ({@code Cpus}, {@code Memory}, {@code GPUs}) as allocatable;
 * dynamic slots are already inside their partitionable parent and are skipped; a static slot counts
 * as capacity, and as allocatable while it is Unclaimed. Memory is in MiB.
 */
public final class SlotPools {

    /** The attributes {@code condor_status} is asked for. */
    public static final List<String> QUERY = List.of("Name", "Machine", "SlotType", "PartitionableSlot", "DynamicSlot", "Cpus",
            "TotalSlotCpus", "Memory", "TotalSlotMemory", "GPUs", "TotalSlotGPUs", "State", "Activity");

    private SlotPools() {
    }

    /** The {@code -attributes} argument for {@link #QUERY}. */
    public static String queryList() {
        return String.join(",", QUERY);
    }

    /** The pool {@code name} made of {@code slots}. */
    public static PoolInfo pool(String name, List<JobAd> slots) {
        long cpus = 0;
        long memMb = 0;
        long gpus = 0;
        long freeCpus = 0;
        long freeMemMb = 0;
        long freeGpus = 0;
        long slotCount = 0;
        long usable = 0;
        Set<String> machines = new LinkedHashSet<>();
        Set<String> unusable = new LinkedHashSet<>();
        for (JobAd slot : slots) {
            String type = slot.string("SlotType").orElse("").toLowerCase(Locale.ROOT);
            boolean partitionable = slot.bool("PartitionableSlot").orElse(false) || type.equals("partitionable");
            boolean dynamic = slot.bool("DynamicSlot").orElse(false) || type.equals("dynamic");
            if (dynamic) {
                continue;
            }
            slotCount++;
            slot.string("Machine").ifPresent(machines::add);
            String state = slot.string("State").orElse("");
            long c = number(slot, partitionable ? "TotalSlotCpus" : "Cpus").orElse(number(slot, "Cpus").orElse(0L));
            long m = number(slot, partitionable ? "TotalSlotMemory" : "Memory").orElse(number(slot, "Memory").orElse(0L));
            long g = number(slot, partitionable ? "TotalSlotGPUs" : "GPUs").orElse(number(slot, "GPUs").orElse(0L));
            cpus += c;
            memMb += m;
            gpus += g;
            boolean takesJobs = partitionable ? !state.equals("Owner") && !state.equals("Drained") : state.equals("Unclaimed");
            if (takesJobs) {
                usable++;
                freeCpus += partitionable ? number(slot, "Cpus").orElse(0L) : c;
                freeMemMb += partitionable ? number(slot, "Memory").orElse(0L) : m;
                freeGpus += partitionable ? number(slot, "GPUs").orElse(0L) : g;
            } else if (partitionable || state.equals("Owner") || state.equals("Drained")) {
                unusable.add(slot.string("Name").orElse("?") + " " + state);
            }
        }
        Map<String, String> capacity = new LinkedHashMap<>();
        capacity.put("cpu", Long.toString(cpus));
        capacity.put("memory", Quantities.mebibytes(memMb));
        capacity.put("nvidia.com/gpu", Long.toString(gpus));
        capacity.put("slots", Long.toString(slotCount));
        Map<String, String> allocatable = new LinkedHashMap<>();
        allocatable.put("cpu", Long.toString(freeCpus));
        allocatable.put("memory", Quantities.mebibytes(freeMemMb));
        allocatable.put("nvidia.com/gpu", Long.toString(freeGpus));
        allocatable.put("slots", Long.toString(usable));
        PoolCondition condition = PoolCondition.READY;
        String message = "";
        if (slotCount == 0) {
            condition = PoolCondition.DOWN;
            message = "no slot of the HTCondor pool matches pool " + name;
        } else if (cpus > 0 && usable == 0) {
            condition = PoolCondition.DRAINING;
            message = "no slot takes new jobs: " + String.join(", ", unusable);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("htcondor.ferry.dev/pool", name);
        labels.put("htcondor.ferry.dev/machines", Long.toString(machines.size()));
        return new PoolInfo(name, capacity, allocatable, condition, Optional.empty(), labels, message);
    }

    private static Optional<Long> number(JobAd ad, String attribute) {
        return ad.integer(attribute).or(() -> ad.real(attribute).map(d -> (long) Math.floor(d)));
    }
}
