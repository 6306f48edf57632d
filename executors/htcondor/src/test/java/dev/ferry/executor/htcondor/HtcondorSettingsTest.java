package dev.ferry.executor.htcondor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.config.SiteConfig;
import dev.ferry.schema.ConfigException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtcondorSettingsTest {

    static HtcondorSettings bind(String section) {
        SiteConfig config = SiteConfig.parse("site: condor-b\nbackend:\n  type: htcondor\n  htcondor:\n" + section);
        return config.backendSection().bind(HtcondorSettings.class);
    }

    @Test
    void aFullSectionBindsWithDefaultsForTheRest() {
        HtcondorSettings s = bind("""
                    workDir: /var/lib/ferry/pods/
                    chroot: {dir: /var/cache/ferry/htcondor-chroot, user: ferry}
                    heldTimeout: 5m
                    pools:
                      - {name: gpu, constraint: 'TotalSlotGPUs > 0'}
                    jobEnvironment: {PATH: /usr/local/bin:/usr/bin:/bin}
                """);
        assertThat(s.workDir()).isEqualTo("/var/lib/ferry/pods");
        assertThat(s.universe()).isEqualTo("vanilla");
        assertThat(s.chroot()).isEqualTo(new HtcondorSettings.Chroot("/var/cache/ferry/htcondor-chroot", "ferry"));
        assertThat(s.heldTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.historyLookback()).isEqualTo(Duration.ofDays(1));
        assertThat(s.pools()).containsExactly(new HtcondorSettings.Pool("gpu", "TotalSlotGPUs > 0"));
        assertThat(s.allowedSubmitCommands()).isEqualTo(HtcondorSettings.DEFAULT_ALLOWED_SUBMIT_COMMANDS);
        assertThat(s.commands().condorQ()).isEqualTo("condor_q");
        assertThat(s.scheddOptions()).isEmpty();
        assertThat(HtcondorSettings.of("/w").pools()).containsExactly(new HtcondorSettings.Pool("default", ""));
    }

    @Test
    void badValuesFailNamingTheFullKey() {
        assertThatThrownBy(() -> bind("    universe: vanilla\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("backend.htcondor.workDir: is required");
        assertThatThrownBy(() -> bind("    workDir: relative\n")).hasMessageStartingWith("backend.htcondor.workDir: must be an absolute path");
        assertThatThrownBy(() -> bind("    workDir: /w\n    universe: docker\n")).hasMessageStartingWith("backend.htcondor.universe:");
        assertThatThrownBy(() -> bind("    workDir: /w\n    allowedSubmitCommands: [request_disk, executable]\n"))
                .hasMessageStartingWith("backend.htcondor.allowedSubmitCommands[1]: executable cannot be allowed");
        assertThatThrownBy(() -> bind("    workDir: /w\n    allowedSubmitCommands: [+PodUID]\n"))
                .hasMessageStartingWith("backend.htcondor.allowedSubmitCommands[0]: +PodUID cannot be allowed");
        assertThatThrownBy(() -> bind("    workDir: /w\n    chroot: {dir: /c, user: root}\n"))
                .hasMessageStartingWith("backend.htcondor.chroot.user: must not be root");
        assertThatThrownBy(() -> bind("    workDir: /w\n    pools: [{name: a}, {name: a}]\n"))
                .hasMessageStartingWith("backend.htcondor.pools[1].name: 'a' is used twice");
        assertThatThrownBy(() -> bind("    workDir: /w\n    pools: [{name: a, constraint: '$(x)'}]\n"))
                .hasMessageStartingWith("backend.htcondor.pools[0].constraint:");
        assertThatThrownBy(() -> bind("    workDir: /w\n    heldTimeout: 0s\n")).hasMessageStartingWith("backend.htcondor.heldTimeout: must be positive");
        assertThatThrownBy(() -> bind("    workDir: /w\n    commands: {condorQ: 'condor_q; rm -rf /'}\n"))
                .hasMessageStartingWith("backend.htcondor.commands.condorQ:");
        assertThatThrownBy(() -> bind("    workDir: /w\n    nonsense: 1\n")).hasMessageStartingWith("backend.htcondor.nonsense: is not a known setting");
    }

    @Test
    void theScheddAndCollectorBecomeOptionsOfEveryTool() {
        HtcondorSettings s = bind("    workDir: /w\n    schedd: schedd@submit.example.org\n    collector: cm.example.org:9618\n");
        assertThat(s.scheddOptions()).isEqualTo(List.of("-pool", "cm.example.org:9618", "-name", "schedd@submit.example.org"));
    }
}
