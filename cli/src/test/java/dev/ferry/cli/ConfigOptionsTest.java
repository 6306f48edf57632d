package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.schema.ConfigValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigOptionsTest {

    private static final String KEY = "ferry.topic.prefix";
    private static final String ENV = "FERRY_TOPIC_PREFIX";

    @Test
    void setWinsOverTheEnvironmentWhichWinsOverTheFile() {
        Map<String, String> file = Map.of(KEY, "file.", "ferry.topic.partitions", "3");

        ConfigValues all = ConfigOptions.resolve(file, Map.of(KEY, "set."), Map.of(ENV, "env."));
        ConfigValues noSet = ConfigOptions.resolve(file, Map.of(), Map.of(ENV, "env."));
        ConfigValues fileOnly = ConfigOptions.resolve(file, Map.of(), Map.of());

        assertThat(all.get(KEY)).contains("set.");
        assertThat(noSet.get(KEY)).contains("env.");
        assertThat(fileOnly.get(KEY)).contains("file.");
        assertThat(all.get("ferry.topic.partitions")).contains("3");
    }

    @Test
    void readsAPropertiesFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.properties"), "# comment\nferry.topic.prefix = x.\n");

        assertThat(ConfigOptions.readFile(file)).containsExactly(Map.entry(KEY, "x."));
        assertThat(ConfigOptions.readFile(null)).isEmpty();
    }

    @Test
    void aDirectoryIsNotAConfigFile(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigOptions.readFile(dir))
                .isInstanceOf(CliException.class)
                .hasMessageContaining(dir.toString())
                .extracting(e -> ((CliException) e).exitCode()).isEqualTo(Ferry.EXIT_USAGE);
    }
}
