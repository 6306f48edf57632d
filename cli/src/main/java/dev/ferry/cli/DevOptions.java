package dev.ferry.cli;

import dev.ferry.schema.TopicsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link DevEnvironment#start(DevOptions)} starts, and where.
 *
 * @param workDir      holds the broker's data and log ({@code kafka/}), the registry's log ({@code registry/}) and
 *                     the {@code env} file; kept between runs, so topics survive a restart
 * @param kafkaPort    the broker's client port; 0 reuses the port of an earlier run on {@code workDir}, else takes
 *                     a free one
 * @param registryPort the registry's HTTP port; 0 takes a free one
 * @param apiPort      the development Kubernetes API server's port; 0 takes a free one
 * @param sites        the sites whose {@code jobs.<site>} topics are created; the first one gets a local executor
 * @param topics       the topic settings (prefix, partitions, retention)
 * @param executor     that executor's backend: Slurm, local processes, or auto (Slurm when {@code sinfo} answers)
 */
public record DevOptions(Path workDir, int kafkaPort, int registryPort, int apiPort, List<String> sites,
                         TopicsConfig topics, DevSite.Kind executor) {

    public static final String DEFAULT_SITE = "local";

    public DevOptions {
        Objects.requireNonNull(workDir, "workDir");
        requirePort("kafkaPort", kafkaPort);
        requirePort("registryPort", registryPort);
        requirePort("apiPort", apiPort);
        sites = List.copyOf(sites);
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("at least one site is needed");
        }
        sites.forEach(TopicsConfig::requireLegalSite);
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(executor, "executor");
    }

    /** Free ports, the site {@code local}, the default topic settings. */
    public static DevOptions defaults(Path workDir) {
        return new DevOptions(workDir, 0, 0, 0, List.of(DEFAULT_SITE), TopicsConfig.defaults(),
                DevSite.Kind.AUTO);
    }

    public DevOptions withKafkaPort(int port) {
        return new DevOptions(workDir, port, registryPort, apiPort, sites, topics, executor);
    }

    public DevOptions withRegistryPort(int port) {
        return new DevOptions(workDir, kafkaPort, port, apiPort, sites, topics, executor);
    }

    public DevOptions withApiPort(int port) {
        return new DevOptions(workDir, kafkaPort, registryPort, port, sites, topics, executor);
    }

    public DevOptions withSites(List<String> newSites) {
        return new DevOptions(workDir, kafkaPort, registryPort, apiPort, newSites, topics, executor);
    }

    public DevOptions withTopics(TopicsConfig newTopics) {
        return new DevOptions(workDir, kafkaPort, registryPort, apiPort, sites, newTopics, executor);
    }

    public DevOptions withExecutor(DevSite.Kind kind) {
        return new DevOptions(workDir, kafkaPort, registryPort, apiPort, sites, topics, kind);
    }

    private static void requirePort(String name, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(name + " must be between 0 (any free port) and 65535, was " + port);
        }
    }
}
