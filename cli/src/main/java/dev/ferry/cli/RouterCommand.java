package dev.ferry.cli;

import dev.ferry.router.HealthServer;
import dev.ferry.router.RouterApp;
import dev.ferry.router.RouterConfig;
import dev.ferry.schema.ConfigValues;
import dev.ferry.schema.EventSerdes;
import dev.ferry.schema.SerdeConfig;
import dev.ferry.schema.Topics;
import dev.ferry.schema.TopicsConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry router}: runs the router (a Kafka Streams application) until SIGTERM or Ctrl-C. */
@Command(name = "router",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        sortOptions = false,
        description = {
                "Run the router: match pod intents to resource pools, reserve capacity per pool, queue, cancel, and "
                        + "explain every decision (Kafka Streams, exactly-once).",
                "Reads pod-intents, pools and pod-status; writes jobs.<site>, decisions, pod-status and dead-letters. "
                        + "Ferry's topics must exist (ferry topics apply); the router creates its own three "
                        + "(<application-id>-pool-inbox, -pod-inbox, -pool-view).",
                "Health: GET /healthz (200 unless failed or stopping) and /readyz (200 while processing) on "
                        + "--health-port. SIGTERM or Ctrl-C commits, closes and exits 0."},
        footer = {ConfigOptions.TOPIC_SETTINGS_HELP, RouterCommand.ROUTER_SETTINGS_HELP},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:stopped by SIGTERM or Ctrl-C",
                "1:Kafka or the registry unreachable, Ferry's topics missing, or the router failed",
                "2:bad usage or configuration"})
final class RouterCommand implements Callable<Integer> {

    static final String ROUTER_SETTINGS_HELP = "%nRouter settings (same sources and precedence):"
            + "%n  ferry.registry.url                  the schema registry (or --registry-url, FERRY_REGISTRY_URL)"
            + "%n  ferry.router.scoring                spread (default) or bin-pack"
            + "%n  ferry.router.commit-interval        exactly-once commit interval (default 50ms); an intent waits for"
            + "%n                                      two commits, so this bounds latency (100ms: faster bursts,"
            + "%n                                      p99 near 300 ms)"
            + "%n  ferry.router.view-interval          pool usage publication interval (default 50ms)"
            + "%n  ferry.router.pool-check-interval    stale heartbeat check (default 1s)"
            + "%n  ferry.router.finished-retention     how long finished pods are remembered (default 24h)"
            + "%n  ferry.router.ignored-node-labels    virtual-node label keys skipped when matching"
            + "%n  ferry.router.threads                stream threads (default 2)"
            + "%n  ferry.router.store                  rocksdb (default) or in-memory: where pods and queues"
            + "%n                                      live (each pool's usage and pods are always in memory)"
            + "%n  ferry.router.streams.*              any Kafka Streams setting, prefix removed";

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Option(names = "--application-id", paramLabel = "ID",
            description = {"The Kafka Streams application id (consumer group, prefix of the router's topics).",
                    "Default: ferry.router.application-id, else " + RouterConfig.DEFAULT_APPLICATION_ID + "."})
    private String applicationId;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = {"Where the state stores live.", "Default: ferry.router.state-dir, else <tmp>/ferry-router."})
    private Path stateDir;

    @Option(names = "--health-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Port of /healthz and /readyz (0: a free one). Default: ${DEFAULT-VALUE}.")
    private int healthPort;

    @Option(names = "--health-host", paramLabel = "HOST", defaultValue = "0.0.0.0",
            description = "Address the health endpoint listens on. Default: ${DEFAULT-VALUE}.")
    private String healthHost;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long to wait for Kafka when checking the topics at start. Default: ${DEFAULT-VALUE}.")
    private Duration timeout;

    @Mixin
    private ConfigOptions config;

    @Override
    public Integer call() {
        if (healthPort < 0 || healthPort > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--health-port must be between 0 (a free port) and 65535, was " + healthPort);
        }
        Map<String, String> environment = Ferry.root(spec).environment();
        KafkaOptions.Settings settings = kafka.settings(config, Map.of(), environment);
        ConfigValues values = settings.values();
        RouterConfig routerConfig = RouterConfig.from(values, settings.given());
        if (applicationId != null) {
            routerConfig = routerConfig.withApplicationId(applicationId);
        }
        if (stateDir != null) {
            routerConfig = routerConfig.withStateDir(stateDir);
        }
        Topics topics = new Topics(TopicsConfig.from(values),
                new EventSerdes(SerdeConfig.from(values, settings.given())));
        String bootstrap = kafka.bootstrap(environment);
        PrintWriter out = spec.commandLine().getOut();

        RouterApp router;
        try {
            router = RouterApp.start(routerConfig, topics, bootstrap, timeout);
        } catch (IllegalStateException e) {
            throw new CliException(Ferry.EXIT_FAILED, e.getMessage(), e);
        }
        Thread hook = new Thread(() -> router.close(CLOSE_TIMEOUT), "ferry-router-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (HealthServer health = HealthServer.start(healthHost, healthPort, router)) {
            CompletableFuture<String> stop = new CompletableFuture<>();
            StopSignals.install(() -> stop.complete(null));
            router.stopped().thenAccept(state -> stop.complete("the router stopped (" + state + ")"
                    + (router.lastError() == null ? "" : ": " + router.lastError())));
            out.printf("Router %s started on Kafka at %s (topics %s*); health on http://%s:%d/healthz and /readyz%n",
                    routerConfig.applicationId(), bootstrap, topics.config().prefix(), healthHost, health.port());
            out.flush();

            String failure = stop.join();
            out.println(failure == null ? "Stopping the router ..." : "Stopping: " + failure);
            out.flush();
            boolean clean = router.close(CLOSE_TIMEOUT);
            if (failure != null) {
                throw new CliException(Ferry.EXIT_FAILED, failure);
            }
            out.println(clean ? "Stopped." : "Stopped without finishing within " + CLOSE_TIMEOUT.toSeconds() + " s.");
            out.flush();
            return Ferry.EXIT_OK;
        } finally {
            removeShutdownHook(hook);
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway; closing twice does nothing
        }
    }
}
