package dev.ferry.executor.vm.provision;

import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import java.util.List;

/** The hosts listed in {@code site.yaml}; pools neither grow nor shrink. */
public final class StaticProvisioner implements VmProvisioner {

    @Override
    public List<HostSettings> hosts(PoolSettings pool) {
        return pool.hosts();
    }
}
