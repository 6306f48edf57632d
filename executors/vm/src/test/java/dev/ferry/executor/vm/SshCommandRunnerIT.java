package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.vm.model.Hostile;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshCommandRunner;
import dev.ferry.executor.vm.ssh.SshTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The SSH {@link dev.ferry.executor.spi.CommandRunner} (for backends that drive a remote head node) against the real sshd. */
class SshCommandRunnerIT {

    @Test
    void argumentsArriveAsTheSameWordsAndNothingIsInterpreted() throws Exception {
        LocalVm vm = LocalVm.require();
        String marker = "/tmp/ferry-vm-runner-" + UUID.randomUUID();
        try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(vm.settings("host")))) {
            SshTarget target = new SshTarget("local", vm.host(), vm.port(), vm.user());
            SshCommandRunner runner = new SshCommandRunner(ssh, target, Map.of("FERRY_TEST", "$(touch " + marker + ")"), Duration.ofSeconds(20));
            List<String> hostile = Hostile.strings(marker);
            List<String> argv = new ArrayList<>(List.of("printf", "[%s]\\n"));
            argv.addAll(hostile);
            CommandResult result = runner.run(argv);
            StringBuilder expected = new StringBuilder();
            hostile.forEach(s -> expected.append('[').append(s).append("]\n"));
            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).isEqualTo(expected.toString());

            CommandResult env = runner.run(List.of("sh", "-c", "printf '%s' \"$FERRY_TEST\"; exit 3"));
            assertThat(env.exitCode()).isEqualTo(3);
            assertThat(env.stdout()).isEqualTo("$(touch " + marker + ")");
            assertThat(runner.run(List.of("ls", marker)).exitCode()).isNotZero();
            assertThat(runner.invocations()).containsEntry("printf", 1L).containsEntry("sh", 1L);

            assertThatThrownBy(() -> runner.run(List.of("condor_q_that_is_not_installed", "-json"))).isInstanceOf(BackendException.class)
                    .hasMessageContaining("cannot run condor_q_that_is_not_installed on " + target.display());
            assertThatThrownBy(() -> runner.run(List.of("sleep", "5"), Duration.ofMillis(500))).isInstanceOf(BackendException.class)
                    .hasMessageContaining("did not finish within");
        }
    }
}
