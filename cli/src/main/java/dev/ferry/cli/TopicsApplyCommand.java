package dev.ferry.cli;

import dev.ferry.schema.TopicAdmin.TopicChange;
import dev.ferry.schema.TopicsConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry topics apply}: creates or updates Ferry's topics, idempotently. */
@Command(name = "apply",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        sortOptions = false,
        description = {
                "Create Ferry's topics, or update them to match the settings: pod-intents, pools, pod-status, "
                        + "decisions, pod-logs, dead-letters, and jobs.<site> for each --site.",
                "Safe to run again: prints one line per topic (created, updated with what changed, or unchanged) "
                        + "and a summary. Partitions are only ever added, never removed."},
        footer = ConfigOptions.TOPIC_SETTINGS_HELP,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the topics match the settings",
                "1:Kafka is unreachable (within --timeout) or refused",
                "2:bad usage or configuration"})
final class TopicsApplyCommand implements Callable<Integer> {

    static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-b", "--bootstrap-servers"}, paramLabel = "HOST:PORT[,...]",
            description = {"Kafka's bootstrap address.", "Default: the environment variable",
                    BOOTSTRAP_ENV + ", else " + DEFAULT_BOOTSTRAP + "."})
    private String bootstrapServers;

    @Option(names = "--site", paramLabel = "NAME",
            description = "A site whose jobs.<NAME> topic to create; repeatable. Default: none.")
    private List<String> sites = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "15s", converter = DurationConverter.class,
            description = "How long to wait for Kafka to answer before giving up. Default: ${DEFAULT-VALUE}.")
    private Duration timeout;

    @Mixin
    private ConfigOptions config;

    @Override
    public Integer call() {
        List<String> checkedSites = Sites.check(sites, spec);
        Map<String, String> environment = Ferry.root(spec).environment();
        TopicsConfig topicsConfig = TopicsConfig.from(config.values(environment));
        String bootstrap = bootstrapServers(bootstrapServers, environment);

        List<TopicChange> changes = FerryTopics.apply(bootstrap, timeout, topicsConfig, checkedSites);

        PrintWriter out = spec.commandLine().getOut();
        changes.forEach(out::println);
        out.println(FerryTopics.summary(changes) + " on Kafka at " + bootstrap + ".");
        out.flush();
        return Ferry.EXIT_OK;
    }

    /** The option, else {@code KAFKA_BOOTSTRAP_SERVERS}, else {@code localhost:9092}. */
    static String bootstrapServers(String option, Map<String, String> environment) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String fromEnv = environment.get(BOOTSTRAP_ENV);
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_BOOTSTRAP : fromEnv.strip();
    }
}
