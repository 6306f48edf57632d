package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.devkit.Ports;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.PoolInfo;
import dev.ferry.executor.vm.VmSettings.HostSettings;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A pool with the real local sshd and a host that refuses connections (a free port with nothing listening). */
class VmUnreachableHostIT {

    @Test
    void anUnreachableHostIsReportedAndItsJobsAreLostOnlyAfterTheGracePeriod() throws Exception {
        LocalVm vm = LocalVm.require();
        String site = "it-" + UUID.randomUUID().toString().substring(0, 8);
        PoolSettings pool = PoolSettings.of("mixed", "host", List.of(vm.hostSettings("local"),
                new HostSettings("dead", "127.0.0.1", Ports.freePort(), null)));
        VmSettings base = vm.settings(pool);
        VmSettings settings = new VmSettings(base.user(), base.identityFile(), null, base.knownHostsFile(), base.workDir(), Duration.ofSeconds(2),
                null, null, null, Duration.ofSeconds(2), null, base.pools());
        try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(settings))) {
            VmBackend backend = new VmBackend(site, settings, ssh, new StaticProvisioner(), Clock.systemUTC(), false);

            assertThat(backend.discoverPools()).singleElement().satisfies(p -> {
                assertThat(p.state()).isEqualTo(PoolInfo.PoolCondition.READY);
                assertThat(p.labels()).containsEntry("ferry.dev/hosts", "1");
                assertThat(p.message()).startsWith("1 host(s) unreachable: cannot connect to " + vm.user() + "@127.0.0.1:");
            });
            assertThatThrownBy(backend::listOwned).isInstanceOf(BackendException.class)
                    .hasMessageContaining("cannot list the jobs on host dead, so cannot rule out that a pod already runs there");

            JobHandle h = backend.submit(new JobRequest(TestPods.identity(site, "mixed"), TestPods.pod()
                    .main(TestPods.sh("main", "", "sleep 1")).build()));
            assertThat(h.backendJobId()).startsWith("local/");

            JobIdentity ghost = TestPods.identity(site, "mixed");
            JobHandle onDead = new JobHandle(ghost, "dead/" + ghost.podUid() + "-0");
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                var statuses = backend.poll(List.of(h, onDead));
                assertThat(statuses.get(h).phase()).isEqualTo(JobStatus.JobPhase.SUCCEEDED);
                assertThat(statuses.get(onDead)).isNotNull();
                assertThat(statuses.get(onDead).reason()).isEqualTo("HostLost");
                assertThat(statuses.get(onDead).message()).startsWith("host dead could not be reached for");
            });
            ssh.exec(new SshTarget("x", vm.host(), vm.port(), vm.user()), "rm -rf .ferry-test/jobs/" + site, new byte[0], Duration.ofSeconds(20));
        }
        PoolSettings onlyDead = PoolSettings.of("gone", "host", List.of(new HostSettings("dead", "127.0.0.1", Ports.freePort(), null)));
        VmSettings deadSettings = vm.settings(onlyDead);
        try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(deadSettings))) {
            VmBackend backend = new VmBackend(site, deadSettings, ssh, new StaticProvisioner(), Clock.systemUTC(), false);
            assertThatThrownBy(backend::discoverPools).isInstanceOf(BackendException.class)
                    .satisfies(e -> assertThat(((BackendException) e).reason()).isEqualTo(BackendException.Reason.UNAVAILABLE))
                    .hasMessageContaining("no VM of site " + site + " can be reached");
        }
    }
}
