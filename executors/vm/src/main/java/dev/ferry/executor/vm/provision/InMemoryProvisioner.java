package dev.ferry.executor.vm.provision;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * An in-JVM stand-in for a cloud API (no OpenStack or EC2 endpoint, nor an emulator of one, is
 * reachable here): a pool starts with its configured hosts, {@link #provision} "boots" a VM by
 * asking {@code boot} for its address (a test points it at a real sshd), up to {@code maxPerPool}
 * extra hosts per pool, and {@link #release} removes it. It records every call.
 */
public final class InMemoryProvisioner implements VmProvisioner {

    private final BiFunction<PoolSettings, Integer, HostSettings> boot;
    private final int maxPerPool;
    private final Map<String, List<HostSettings>> provisioned = new LinkedHashMap<>();
    private final List<String> calls = new ArrayList<>();

    /**
     * @param boot       the host a new VM of a pool becomes, given the pool and a sequence number
     * @param maxPerPool how many VMs a pool may get beyond its configured hosts
     */
    public InMemoryProvisioner(BiFunction<PoolSettings, Integer, HostSettings> boot, int maxPerPool) {
        this.boot = boot;
        this.maxPerPool = maxPerPool;
    }

    @Override
    public synchronized List<HostSettings> hosts(PoolSettings pool) {
        List<HostSettings> all = new ArrayList<>(pool.hosts());
        all.addAll(provisioned.getOrDefault(pool.name(), List.of()));
        return all;
    }

    @Override
    public synchronized HostSettings provision(PoolSettings pool) throws BackendException {
        List<HostSettings> mine = provisioned.computeIfAbsent(pool.name(), k -> new ArrayList<>());
        if (mine.size() >= maxPerPool) {
            calls.add("provision " + pool.name() + " refused");
            throw BackendException.rejected("PoolAtLimit", "pool " + pool.name() + " already has " + maxPerPool + " provisioned VMs");
        }
        HostSettings host = boot.apply(pool, mine.size() + 1);
        mine.add(host);
        calls.add("provision " + pool.name() + " " + host.name());
        return host;
    }

    @Override
    public synchronized void release(PoolSettings pool, String hostName) {
        List<HostSettings> mine = provisioned.getOrDefault(pool.name(), new ArrayList<>());
        mine.removeIf(h -> h.name().equals(hostName));
        calls.add("release " + pool.name() + " " + hostName);
    }

    /** Every call so far, e.g. {@code provision gpu gpu-1}. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }
}
