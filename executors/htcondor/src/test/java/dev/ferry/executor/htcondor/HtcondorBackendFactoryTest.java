package dev.ferry.executor.htcondor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.Executor;
import dev.ferry.executor.config.SiteConfig;
import dev.ferry.executor.spi.Backend;
import dev.ferry.schema.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtcondorBackendFactoryTest {

    @TempDir
    Path tree;

    static Backend create(String htcondor) {
        SiteConfig config = SiteConfig.parse("site: condor-b\nbackend:\n  type: htcondor\n  htcondor:\n" + htcondor);
        return Executor.createBackend(config, "condor-b", Map.of("PATH", "/usr/bin:/bin"), Clock.systemUTC());
    }

    @Test
    void theRuntimeFindsTheBackendByItsType() {
        Backend backend = create("    workDir: /var/lib/ferry/pods\n");
        assertThat(backend).isInstanceOf(HtcondorBackend.class);
        assertThat(backend.type()).isEqualTo("htcondor");
        assertThat(((HtcondorBackend) backend).runner()).isNotInstanceOf(ChrootCommandRunner.class);
    }

    @Test
    void aChrootRunsTheToolsAsTheTreesUser() throws Exception {
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\nferry:x:2742:2742::/home/ferry:/bin/sh\n");
        HtcondorBackend backend = (HtcondorBackend) create("    workDir: /var/lib/ferry/pods\n    chroot: {dir: " + tree + ", user: ferry}\n");
        assertThat(backend.runner()).isInstanceOf(ChrootCommandRunner.class);
        assertThat(((ChrootCommandRunner) backend.runner()).wrap(java.util.List.of("condor_q")))
                .startsWith("chroot", "--userspec=2742:2742", tree.toString());

        assertThatThrownBy(() -> create("    workDir: /w\n    chroot: {dir: " + tree + ", user: nobody}\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("backend.htcondor.chroot.user: there is no user 'nobody' in");
        assertThatThrownBy(() -> create("    workDir: /w\n    chroot: {dir: " + tree.resolve("missing") + ", user: ferry}\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("backend.htcondor.chroot.dir: cannot read");
    }
}
