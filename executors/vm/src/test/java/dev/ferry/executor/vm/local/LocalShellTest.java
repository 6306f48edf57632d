package dev.ferry.executor.vm.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a script on the local host gets of the executor's environment. */
class LocalShellTest {

    @Test
    void scriptsGetWhatALoginGivesAndNothingElseOfTheExecutorsEnvironment() {
        Map<String, String> env = LocalShell.loginEnvironment(Map.of("PATH", "/opt/bin:/usr/bin", "HOME", "/home/ann", "USER", "ann",
                "XDG_RUNTIME_DIR", "/run/user/1000", "SHELL", "/bin/bash", "KAFKA_SASL_PASSWORD", "secret", "FERRY_REGISTRY_URL", "http://r"),
                "/ignored", "ignored");
        assertThat(env).containsOnly(Map.entry("PATH", "/opt/bin:/usr/bin"), Map.entry("HOME", "/home/ann"), Map.entry("USER", "ann"),
                Map.entry("LOGNAME", "ann"), Map.entry("XDG_RUNTIME_DIR", "/run/user/1000"), Map.entry("SHELL", "/bin/bash"));
    }

    @Test
    void aBareEnvironmentIsFilledFromTheJvmsUser() {
        Map<String, String> env = LocalShell.loginEnvironment(Map.of(), "/home/bob", "bob");
        assertThat(env).containsEntry("HOME", "/home/bob").containsEntry("USER", "bob").containsEntry("LOGNAME", "bob")
                .containsKey("PATH").doesNotContainKey("SHELL");
    }

    @Test
    void theHomeTheScriptsStartInIsTheirHome() {
        try (LocalShell shell = new LocalShell(Map.of("HOME", "/elsewhere", "PATH", "/usr/bin:/bin"), Path.of("/tmp/ferry-home"))) {
            assertThat(shell.environment()).containsEntry("HOME", "/tmp/ferry-home");
            assertThat(shell.home()).isEqualTo(Path.of("/tmp/ferry-home"));
        }
    }
}
