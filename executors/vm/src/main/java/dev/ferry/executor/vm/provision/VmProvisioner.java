package dev.ferry.executor.vm.provision;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import java.util.List;

/**
 * Where a pool's VMs come from. The backend asks for a pool's hosts whenever it places a pod,
 * polls or advertises pools, so hosts a provisioner adds or removes are picked up at once.
 *
 * <p>{@link StaticProvisioner} (the default) returns the hosts listed in {@code site.yaml}. Cloud
 * provisioners (OpenStack Nova, EC2) would implement {@link #provision} and {@link #release} with
 * the cloud's API; none is included, because no such API (nor an emulator of one) is reachable
 * where Ferry is built and tested. {@link InMemoryProvisioner} is an in-JVM fake that shows the
 * contract. Deciding <em>when</em> to grow or shrink a pool (scale-up on queued pods, idle
 * timeouts) is not implemented yet.
 */
public interface VmProvisioner {

    /** The hosts of {@code pool} that exist now (static ones and provisioned ones that are up). */
    List<HostSettings> hosts(PoolSettings pool) throws BackendException;

    /**
     * Asks for one more VM for {@code pool}. Returns at once with the host as it will be known; it
     * appears in {@link #hosts} when it is up (reachable over SSH with the site's key and a host
     * key in the site's known_hosts).
     *
     * @throws BackendException {@code REJECTED} when the pool cannot grow (not provisionable, at its limit),
     *         {@code UNAVAILABLE} when the cloud API cannot be reached
     */
    default HostSettings provision(PoolSettings pool) throws BackendException {
        throw BackendException.rejected("NotProvisionable", "pool " + pool.name() + " has a fixed list of hosts");
    }

    /** Gives a provisioned VM back (it must run no job). Releasing a host that is gone is not an error. */
    default void release(PoolSettings pool, String hostName) throws BackendException {
        throw BackendException.rejected("NotProvisionable", "pool " + pool.name() + " has a fixed list of hosts");
    }
}
