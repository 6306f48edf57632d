package dev.ferry.cli;

import dev.ferry.schema.ConfigValues;
import dev.ferry.schema.SerdeConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --bootstrap-servers} and {@code --registry-url}, for the commands that run against Kafka and the registry
 * ({@code ferry router}, {@code ferry gateway}), and how they join the {@code ferry.*} settings.
 */
final class KafkaOptions {

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = {"Kafka's bootstrap address.", "Default: the environment variable",
                    TopicsApplyCommand.BOOTSTRAP_ENV + ", else " + TopicsApplyCommand.DEFAULT_BOOTSTRAP + "."})
    String bootstrapServers;

    @Option(names = "--registry-url", paramLabel = "URL",
            description = {"The schema registry's base URL, e.g. http://127.0.0.1:8080.",
                    "Default: ferry.registry.url, e.g. from the environment variable FERRY_REGISTRY_URL."})
    String registryUrl;

    /** The settings, as given and as resolved with the environment. */
    record Settings(Map<String, String> given, ConfigValues values) {
    }

    /**
     * The {@code ferry.*} settings of {@code config}, with {@code --registry-url} and {@code overrides} on top
     * (both win over the environment and the file, like {@code --set}).
     */
    Settings settings(ConfigOptions config, Map<String, String> overrides, Map<String, String> environment) {
        Map<String, String> given = new LinkedHashMap<>(config.settings());
        Map<String, String> winning = new LinkedHashMap<>(config.overrides);
        winning.putAll(overrides);
        if (registryUrl != null) {
            winning.put(SerdeConfig.REGISTRY_URL, registryUrl);
        }
        given.putAll(winning);
        return new Settings(given, ConfigOptions.resolve(ConfigOptions.readFile(config.configFile), winning,
                environment));
    }

    /** {@code --bootstrap-servers}, else {@code KAFKA_BOOTSTRAP_SERVERS}, else the default. */
    String bootstrap(Map<String, String> environment) {
        return TopicsApplyCommand.bootstrapServers(bootstrapServers, environment);
    }
}
