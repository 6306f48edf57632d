package dev.ferry.cli;

import dev.ferry.schema.ConfigValues;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} and {@code --set KEY=VALUE}: Ferry's {@code ferry.*} settings for a command. A value
 * comes from, first to last: {@code --set}, the key's environment variable ({@code ferry.topic.prefix} →
 * {@code FERRY_TOPIC_PREFIX}), the file, the default.
 */
final class ConfigOptions {

    /** Help text for the topic settings, for the commands that create topics. */
    static final String TOPIC_SETTINGS_HELP = "%nSettings: in the --config file, with --set, or as environment variables (upper"
            + "%ncase with '.' and '-' as '_', e.g. FERRY_TOPIC_PARTITIONS):"
            + "%n  ferry.topic.prefix                  topic name prefix (default ferry.)"
            + "%n  ferry.topic.partitions              partitions per topic (default 6)"
            + "%n  ferry.topic.replication-factor      (default: the broker's default)"
            + "%n  ferry.topic.retention               intents, jobs, status, decisions (7d)"
            + "%n  ferry.topic.logs-retention          pod-logs (default 1d)"
            + "%n  ferry.topic.dead-letters-retention  dead-letters (default 30d)"
            + "%nDurations: 500ms, 30s, 10m, 2h, 7d or ISO-8601 (PT10M)."
            + "%nPrecedence: --set, then environment variables, then the --config file.";

    @Option(names = "--config", paramLabel = "FILE",
            description = "A .properties file with ferry.* settings (keys below). Default: none.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "One ferry.* setting; repeatable. Wins over the environment and the --config file.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The settings as read from the file and {@code --set}, without the environment. */
    Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>(readFile(configFile));
        settings.putAll(overrides);
        return settings;
    }

    /** The settings, with {@code environment} in between the file and {@code --set}. */
    ConfigValues values(Map<String, String> environment) {
        return resolve(readFile(configFile), overrides, environment);
    }

    /**
     * {@code --set} wins over the environment, which wins over the file: {@link ConfigValues} puts the
     * environment above its map, so a variable that a {@code --set} key would read from is dropped.
     */
    static ConfigValues resolve(Map<String, String> file, Map<String, String> overrides,
                                Map<String, String> environment) {
        Map<String, String> values = new HashMap<>(file);
        values.putAll(overrides);
        Map<String, String> env = new HashMap<>(environment);
        overrides.keySet().forEach(key -> env.remove(ConfigValues.envName(key)));
        return ConfigValues.of(values, env);
    }

    /** The file's entries; an absent path means no file. */
    static Map<String, String> readFile(Path file) {
        if (file == null) {
            return Map.of();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new CliException(Ferry.EXIT_USAGE, "config file " + describe(file) + " does not exist");
        } catch (AccessDeniedException e) {
            throw new CliException(Ferry.EXIT_USAGE, "config file " + describe(file) + " is not readable");
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(Ferry.EXIT_USAGE, "cannot read config file " + describe(file) + ": " + e.getMessage(), e);
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key)));
        return map;
    }

    private static String describe(Path file) {
        return file.isAbsolute() ? file.toString() : file + " (" + file.toAbsolutePath() + ")";
    }
}
