package dev.ferry.executor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schema.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SiteConfigTest {

    static final String GOOD = """
            site: hpc-a
            kafka:
              bootstrapServers: kafka:9092
              properties: {security.protocol: SSL}
            registry:
              url: http://registry:8080
            topics:
              prefix: prod.
            executor:
              pollInterval: 500ms
              poolInterval: 1m
              logs: {chunkBytes: 1024, bytesPerSecond: 4096}
            pools:
              labels: {zone: a}
              taints: [{key: hpc, effect: NoSchedule}]
            backend:
              type: slurm
              environment: {SLURM_CONF: /etc/slurm/slurm.conf}
              slurm:
                workDir: /scratch
            """;

    @Test
    void readsATypedConfiguration() {
        SiteConfig c = SiteConfig.parse(GOOD);
        assertThat(c.resolveSite(null)).isEqualTo("hpc-a");
        assertThat(c.executor().pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.executor().poolHeartbeatTtl()).isEqualTo(Duration.ofMinutes(3));
        assertThat(c.executor().logs().chunkBytes()).isEqualTo(1024);
        assertThat(c.topicsConfig().prefix()).isEqualTo("prod.");
        assertThat(c.kafka().properties()).containsEntry("security.protocol", "SSL");
        assertThat(c.backend().environment()).containsEntry("SLURM_CONF", "/etc/slurm/slurm.conf");
        assertThat(c.backendSection().path()).isEqualTo("backend.slurm");
        assertThat(c.backendSection().text("workDir")).contains("/scratch");
        assertThat(c.pools().taints().get(0).effect()).isEqualTo("NoSchedule");
    }

    @Test
    void everyErrorNamesTheKey() {
        assertKey(GOOD.replace("pollInterval: 500ms", "pollInterval: soon"), "executor.pollInterval");
        assertKey(GOOD.replace("pollInterval: 500ms", "pollIntervall: 1s"), "executor.pollIntervall");
        assertKey(GOOD.replace("chunkBytes: 1024", "chunkBytes: 0"), "executor.logs.chunkBytes");
        assertKey(GOOD.replace("url: http://registry:8080", "url: registry:8080"), "registry.url");
        assertKey(GOOD.replace("effect: NoSchedule", "effect: Sometimes"), "pools.taints[0].effect");
        assertKey(GOOD.replace("type: slurm", "type: lsf"), "backend.type");
        assertKey(GOOD.replace("prefix: prod.", "prefix: 'bad prefix'"), "topics.prefix");
        assertKey(GOOD.replace("site: hpc-a", "site: 'a/b'"), "site");
        assertKey(GOOD.replace("backend:", "backendx:"), "backendx");
        assertKey("a: [", "(file)");
    }

    @Test
    void siteFromTheCommandLineMustMatchTheFile() {
        SiteConfig c = SiteConfig.parse(GOOD);
        assertThat(c.resolveSite("hpc-a")).isEqualTo("hpc-a");
        assertThatThrownBy(() -> c.resolveSite("hpc-b")).isInstanceOf(ConfigException.class).hasMessageContaining("--site says 'hpc-b'");
        SiteConfig noSite = SiteConfig.parse(GOOD.replace("site: hpc-a\n", ""));
        assertThatThrownBy(() -> noSite.resolveSite(null)).hasMessageContaining("pass --site");
    }

    @Test
    void backendsBindTheirOwnSectionWithFullKeys() {
        record Slurmish(String workDir, Integer retries) {
            Slurmish {
                if (retries != null && retries < 0) {
                    throw new ConfigException("retries", "must not be negative");
                }
            }
        }
        SiteConfig c = SiteConfig.parse(GOOD.replace("workDir: /scratch", "workDir: /scratch\n    retries: -1"));
        assertThatThrownBy(() -> c.backendSection().bind(Slurmish.class)).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.key()).isEqualTo("backend.slurm.retries"));
    }

    static void assertKey(String yaml, String key) {
        assertThatThrownBy(() -> SiteConfig.parse(yaml)).as(key).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.key()).isEqualTo(key));
    }
}
