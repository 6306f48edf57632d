package dev.ferry.executor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.executor.config.SiteConfig;
import dev.ferry.schema.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code backend.vm} of site.yaml: defaults, and errors that name the key. */
class VmSettingsTest {

    static VmSettings bind(String vmSection) {
        SiteConfig config = SiteConfig.parse("site: vm-a\nbackend:\n  type: vm\n  vm:\n" + vmSection.indent(4));
        return config.backendSection().bind(VmSettings.class);
    }

    static final String MINIMAL = """
            user: ferry
            identityFile: /etc/ferry/id_ed25519
            knownHostsFile: /etc/ferry/known_hosts
            pools:
              - name: a100
                hosts:
                  - address: 10.0.0.5
                  - address: 10.0.0.6
                    port: 2222
                    user: other
            """;

    @Test
    void aMinimalSectionGetsDefaults() {
        VmSettings s = bind(MINIMAL);
        assertThat(s.workDir()).isEqualTo(".ferry/jobs");
        assertThat(s.stopGracePeriod()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.pools()).singleElement().satisfies(p -> {
            assertThat(p.runtime()).isEqualTo("podman");
            assertThat(p.gpuOptions()).containsExactly("--device", "nvidia.com/gpu=all");
            assertThat(p.hosts()).extracting(VmSettings.HostSettings::name).containsExactly("10.0.0.5", "10.0.0.6-2222");
            assertThat(s.userOf(p.hosts().get(0))).isEqualTo("ferry");
            assertThat(s.userOf(p.hosts().get(1))).isEqualTo("other");
        });
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> bind(MINIMAL.replace("identityFile: /etc/ferry/id_ed25519\n", "")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("backend.vm.identityFile: is required");
        assertThatThrownBy(() -> bind(MINIMAL.replace("knownHostsFile: /etc/ferry/known_hosts\n", "")))
                .hasMessageStartingWith("backend.vm.knownHostsFile: is required");
        assertThatThrownBy(() -> bind(MINIMAL.replace("- name: a100", "- name: a100\n    runtime: lxc")))
                .hasMessageStartingWith("backend.vm.pools[0].runtime: must be one of podman, docker, apptainer, host, was 'lxc'");
        assertThatThrownBy(() -> bind(MINIMAL.replace("port: 2222", "port: 70000")))
                .hasMessageStartingWith("backend.vm.pools[0].hosts[1].port: must be between 1 and 65535");
        assertThatThrownBy(() -> bind(MINIMAL.replace("address: 10.0.0.6", "address: 10.0.0.5\n        name: 10.0.0.5")))
                .hasMessageContaining("host '10.0.0.5' is listed twice");
        assertThatThrownBy(() -> bind(MINIMAL.replace("user: ferry\n", "")))
                .hasMessageStartingWith("backend.vm.pools[0].hosts[0].user: is required when backend.vm.user is not set");
        assertThatThrownBy(() -> bind(MINIMAL + "workDir: ../escape\n")).hasMessageStartingWith("backend.vm.workDir:");
        assertThatThrownBy(() -> bind(MINIMAL + "passwords: [secret]\n")).hasMessageStartingWith("backend.vm.passwords: is not a known setting");
        assertThatThrownBy(() -> bind(MINIMAL.replace("address: 10.0.0.5", "address: \"10.0.0.5; rm -rf /\"")))
                .hasMessageStartingWith("backend.vm.pools[0].hosts[0].address: is required: a host name or IP address");
    }

    static final String LOCAL_ONLY = """
            pools:
              - name: dev
                runtime: host
                hosts:
                  - address: local
            """;

    static final String REMOTE_POOL = """
              - name: gpu
                hosts:
                  - address: 10.0.0.5
            """;

    @Test
    void aSiteWhoseHostsAreAllLocalNeedsNoKeysNorUser() {
        VmSettings s = bind(LOCAL_ONLY);
        assertThat(s.usesSsh()).isFalse();
        assertThat(s.identityFile()).isNull();
        assertThat(s.knownHostsFile()).isNull();
        assertThat(s.workDir()).isEqualTo(".ferry/jobs");
        assertThat(s.pools()).singleElement().satisfies(p -> {
            assertThat(p.isLocal()).isTrue();
            assertThat(p.hosts()).singleElement().satisfies(h -> {
                assertThat(h.isLocal()).isTrue();
                assertThat(h.name()).isEqualTo("local");
            });
        });
        // keys given anyway are accepted (and not needed)
        assertThat(bind("identityFile: /etc/ferry/id\nknownHostsFile: /etc/ferry/kh\n" + LOCAL_ONLY).usesSsh()).isFalse();
    }

    @Test
    void aSiteWithARemoteHostStillNeedsItsKeysWithTheSameMessages() {
        String mixed = "user: ferry\n" + LOCAL_ONLY + REMOTE_POOL;
        assertThat(bind("identityFile: /etc/ferry/id\nknownHostsFile: /etc/ferry/kh\n" + mixed).usesSsh()).isTrue();
        assertThatThrownBy(() -> bind("knownHostsFile: /etc/ferry/kh\n" + mixed)).isInstanceOf(ConfigException.class)
                .hasMessage("backend.vm.identityFile: is required: the private key (ed25519 or RSA) the executor logs in to the VMs with");
        assertThatThrownBy(() -> bind("identityFile: /etc/ferry/id\n" + mixed)).isInstanceOf(ConfigException.class)
                .hasMessage("backend.vm.knownHostsFile: is required: this site's known_hosts file; host keys are always verified"
                        + " (fill it with: ssh-keyscan -p PORT HOST >> FILE, after checking the fingerprints)");
        assertThatThrownBy(() -> bind("identityFile: /etc/ferry/id\nknownHostsFile: /etc/ferry/kh\n" + LOCAL_ONLY + REMOTE_POOL))
                .hasMessageStartingWith("backend.vm.pools[1].hosts[0].user: is required when backend.vm.user is not set");
        // a pool without hosts gets VMs from a provisioner: keys are needed
        assertThatThrownBy(() -> bind(LOCAL_ONLY + "  - name: cloud\n")).hasMessageStartingWith("backend.vm.identityFile: is required");
    }

    @Test
    void aLocalHostIsThisMachineOnceInAPoolOfItsOwnWithNoPortNorUser() {
        assertThatThrownBy(() -> bind(LOCAL_ONLY.replace("- address: local", "- address: local\n        port: 22")))
                .hasMessage("backend.vm.pools[0].hosts[0].port: must not be set for address 'local': pods run on this machine without SSH");
        assertThatThrownBy(() -> bind(LOCAL_ONLY.replace("- address: local", "- address: local\n        user: other")))
                .hasMessageStartingWith("backend.vm.pools[0].hosts[0].user: must not be set for address 'local'");
        assertThatThrownBy(() -> bind(LOCAL_ONLY + "  - name: dev2\n    hosts: [{address: local, name: again}]\n"))
                .hasMessage("backend.vm.pools[1].hosts[0].address: 'local' is already a host of pool 'dev': this machine can be one host"
                        + " of the site only");
        assertThatThrownBy(() -> bind("user: ferry\nidentityFile: /etc/ferry/id\nknownHostsFile: /etc/ferry/kh\n"
                + LOCAL_ONLY.replace("- address: local", "- address: local\n      - address: 10.0.0.5")))
                .hasMessage("backend.vm.pools[0].hosts: pool 'dev' mixes this machine (address: local) with remote hosts: put the local host"
                        + " in a pool of its own");
    }

    @Test
    void theFactoryBuildsALocalOnlySiteWithoutSsh() {
        SiteConfig config = SiteConfig.parse("site: vm-a\nbackend:\n  type: vm\n  vm:\n" + LOCAL_ONLY.indent(4));
        try (dev.ferry.executor.spi.Backend backend = dev.ferry.executor.Executor.createBackend(config, "vm-a", java.util.Map.of(),
                java.time.Clock.systemUTC())) {
            assertThat(backend).isInstanceOfSatisfying(VmBackend.class, vm -> {
                assertThat(vm.ssh()).isNull();
                assertThat(vm.local().home()).isEqualTo(java.nio.file.Path.of(System.getenv().getOrDefault("HOME",
                        System.getProperty("user.home"))).toAbsolutePath());
            });
        }
    }

    @Test
    void theFactoryIsFoundByItsTypeAndNamesTheKeyOfAnUnusableKeyFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("known_hosts"), "");
        java.nio.file.Files.writeString(tmp.resolve("id"), "not a key");
        SiteConfig config = SiteConfig.parse("site: vm-a\nbackend:\n  type: vm\n  vm:\n" + MINIMAL
                .replace("/etc/ferry/id_ed25519", tmp.resolve("id").toString())
                .replace("/etc/ferry/known_hosts", tmp.resolve("known_hosts").toString()).indent(4));
        assertThatThrownBy(() -> dev.ferry.executor.Executor.createBackend(config, "vm-a", java.util.Map.of(), java.time.Clock.systemUTC()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("backend.vm.identityFile: cannot use the SSH key " + tmp.resolve("id"));
        com.jcraft.jsch.KeyPair pair = com.jcraft.jsch.KeyPair.genKeyPair(new com.jcraft.jsch.JSch(), com.jcraft.jsch.KeyPair.RSA, 2048);
        pair.writePrivateKey(tmp.resolve("id_rsa").toString());
        SiteConfig noKnownHosts = SiteConfig.parse("site: vm-a\nbackend:\n  type: vm\n  vm:\n" + MINIMAL
                .replace("/etc/ferry/id_ed25519", tmp.resolve("id_rsa").toString())
                .replace("/etc/ferry/known_hosts", tmp.resolve("missing").toString()).indent(4));
        assertThatThrownBy(() -> dev.ferry.executor.Executor.createBackend(noKnownHosts, "vm-a", java.util.Map.of(),
                java.time.Clock.systemUTC())).hasMessageStartingWith("backend.vm.knownHostsFile: known_hosts file " + tmp.resolve("missing")
                + " is missing or not readable");
        SiteConfig good = SiteConfig.parse("site: vm-a\nbackend:\n  type: vm\n  vm:\n" + MINIMAL
                .replace("/etc/ferry/id_ed25519", tmp.resolve("id_rsa").toString())
                .replace("/etc/ferry/known_hosts", tmp.resolve("known_hosts").toString()).indent(4));
        try (dev.ferry.executor.spi.Backend backend = dev.ferry.executor.Executor.createBackend(good, "vm-a", java.util.Map.of(),
                java.time.Clock.systemUTC())) {
            assertThat(backend).isInstanceOf(VmBackend.class);
            assertThat(backend.type()).isEqualTo("vm");
        }
    }
}
