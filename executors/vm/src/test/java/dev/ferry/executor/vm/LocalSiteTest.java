package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.config.SiteConfig;
import dev.ferry.schema.ConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The site configuration {@code ferry dev} builds with {@link LocalSite}, read back as the executor reads it. */
class LocalSiteTest {

    @Test
    void theBackendSectionIsALocalPoolWithTheHostRuntimeThatSiteConfigAccepts() {
        String yaml = LocalSite.backendYaml(Path.of("/var/tmp/ferry dev/jobs"));
        assertThat(yaml).isEqualTo("""
                backend:
                  type: vm
                  vm:
                    workDir: "/var/tmp/ferry dev/jobs"
                    pools:
                      - name: local
                        runtime: host
                        hosts:
                          - address: local
                """);
        SiteConfig config = SiteConfig.parse("site: dev\n" + yaml);
        assertThat(config.backend().type()).isEqualTo("vm");
        VmSettings settings = config.backendSection().bind(VmSettings.class);
        assertThat(settings.usesSsh()).isFalse();
        assertThat(settings.workDir()).isEqualTo("/var/tmp/ferry dev/jobs");
        assertThat(settings.pool(LocalSite.POOL)).hasValueSatisfying(p -> {
            assertThat(p.runtime()).isEqualTo("host");
            assertThat(p.isLocal()).isTrue();
        });
    }

    @Test
    void anyPathSurvivesTheYamlAndARelativeOneIsMadeAbsolute() {
        String odd = "/tmp/it's \"odd\": #not a comment, $(x) `y` \\ \u00e9 \ud83d\ude80 {a: [b]} & * ! % @";
        VmSettings settings = SiteConfig.parse("site: dev\n" + LocalSite.backendYaml(Path.of(odd))).backendSection().bind(VmSettings.class);
        assertThat(settings.workDir()).isEqualTo(odd);

        VmSettings relative = SiteConfig.parse("site: dev\n" + LocalSite.backendYaml(Path.of("dev/./jobs"))).backendSection()
                .bind(VmSettings.class);
        assertThat(relative.workDir()).isEqualTo(Path.of("dev/jobs").toAbsolutePath().toString());
    }

    @Test
    void aPathThatCannotBeAWorkDirIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> LocalSite.backendYaml(Path.of("/tmp/line\nbreak"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("backend.vm.workDir: must be a directory path without '..', line breaks or NUL");
    }

    @Test
    void theExecutorBuildsItsBackendFromIt() {
        SiteConfig config = SiteConfig.parse("site: dev\n" + LocalSite.backendYaml(Path.of("/tmp/ferry-dev/jobs")));
        try (var backend = dev.ferry.executor.Executor.createBackend(config, "dev", Map.of(), Clock.systemUTC())) {
            assertThat(backend).isInstanceOfSatisfying(VmBackend.class, vm -> {
                assertThat(vm.ssh()).isNull();
                assertThat(vm.settings().workDir()).isEqualTo("/tmp/ferry-dev/jobs");
            });
        }
    }
}
