package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import dev.ferry.executor.vm.provision.InMemoryProvisioner;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A pool whose hosts come from a provisioner. No cloud API is reachable here, so the in-JVM fake
 * "boots" a VM by handing out the local sshd's address; everything after that is real.
 */
class VmProvisioningIT {

    @Test
    void aProvisionedHostJoinsThePoolAndRunsPods() throws Exception {
        LocalVm vm = LocalVm.require();
        String site = "it-" + UUID.randomUUID().toString().substring(0, 8);
        PoolSettings empty = PoolSettings.of("burst", "host", List.of());
        VmSettings settings = vm.settings(empty);
        InMemoryProvisioner cloud = new InMemoryProvisioner((pool, n) -> new HostSettings(pool.name() + "-" + n, vm.host(), vm.port(), null), 1);
        try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(settings))) {
            VmBackend backend = new VmBackend(site, settings, ssh, cloud, Clock.systemUTC(), false);
            assertThat(backend.discoverPools()).singleElement().satisfies(p -> {
                assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.DOWN);
                assertThat(p.message()).isEqualTo("the pool has no hosts");
            });
            assertThatThrownBy(() -> backend.submit(new JobRequest(TestPods.identity(site, "burst"), TestPods.pod()
                    .main(TestPods.sh("main", "", "true")).build()))).isInstanceOf(BackendException.class)
                    .hasMessageContaining("no host of pool burst can be reached (the pool has no hosts)");

            HostSettings booted = cloud.provision(empty);
            assertThat(booted.name()).isEqualTo("burst-1");
            assertThatThrownBy(() -> cloud.provision(empty)).hasMessageContaining("already has 1 provisioned VMs");
            assertThat(backend.discoverPools()).singleElement().satisfies(p -> {
                assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.READY);
                assertThat(p.labels()).containsEntry("ferry.dev/hosts", "1");
            });
            JobHandle h = backend.submit(new JobRequest(TestPods.identity(site, "burst"), TestPods.pod()
                    .main(TestPods.sh("main", "", "echo on the new vm")).build()));
            assertThat(h.backendJobId()).startsWith("burst-1/");
            await().atMost(Duration.ofSeconds(30)).until(() -> backend.poll(List.of(h)).get(h), s -> s != null
                    && s.phase() == JobStatus.JobPhase.SUCCEEDED);
            cloud.release(empty, "burst-1");
            assertThat(cloud.calls()).containsExactly("provision burst burst-1", "provision burst refused", "release burst burst-1");
            ssh.exec(new SshTarget("x", vm.host(), vm.port(), vm.user()), "rm -rf .ferry-test/jobs/" + site, new byte[0], Duration.ofSeconds(20));
        }
    }
}
