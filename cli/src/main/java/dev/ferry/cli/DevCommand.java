package dev.ferry.cli;

import dev.ferry.schema.TopicsConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry dev}: runs {@link DevEnvironment} until Ctrl-C. */
@Command(name = "dev",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        sortOptions = false,
        description = {
                "Run all of Ferry on this machine until Ctrl-C, so that kubectl apply works.",
                "A real Kafka broker, the schema registry, a development Kubernetes API server, the router, one "
                        + "site's executor and the gateway with its virtual nodes (ferry-virtual-node, and "
                        + "interlink-node for interLink pod specs).",
                "Starts a real Kafka broker (KRaft, a child JVM) and the real Apicurio schema registry (a child "
                        + "process) in parallel, creates or updates Ferry's topics, then starts the development API "
                        + "server (in memory; writes <work-dir>/kubeconfig), the router, the executor of the first "
                        + "--site (Slurm when sinfo answers, else local processes; see --executor) and the gateway.",
                "Prints how to reach them and writes them as export lines to <work-dir>/env, for another shell: "
                        + ". .ferry/dev/env",
                "The broker's data stays in the work directory, so topics survive a restart; the registry and the "
                        + "API server keep everything in memory.",
                "Then: kubectl --kubeconfig .ferry/dev/kubeconfig apply --validate=false -f "
                        + "deploy/examples/hello.yaml; get pods -w; logs hello; describe pod hello."},
        footer = ConfigOptions.TOPIC_SETTINGS_HELP,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:stopped by Ctrl-C (SIGINT) or SIGTERM",
                "1:something did not start (the message names its log), or a process died while running",
                "2:bad usage or configuration"})
final class DevCommand implements Callable<Integer> {

    /** How long a child's death waits for the stop signal that may have caused it (Ctrl-C reaches the children too). */
    private static final long SIGNAL_GRACE_MS = 2_000;

    @Spec
    private CommandSpec spec;

    @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = ".ferry/dev",
            description = {"Where the broker's data and the logs go.",
                    "Default: ${DEFAULT-VALUE} in the current directory."})
    private Path workDir;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "0",
            description = "The broker's client port. Default: ${DEFAULT-VALUE}, the port of the last run in the work "
                    + "directory, else a free one.")
    private int kafkaPort;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "0",
            description = "The schema registry's HTTP port. Default: ${DEFAULT-VALUE}, a free one.")
    private int registryPort;

    @Option(names = "--api-port", paramLabel = "PORT", defaultValue = "0",
            description = "The development Kubernetes API server's port (kubeconfig: <work-dir>/kubeconfig). "
                    + "Default: ${DEFAULT-VALUE}, a free one.")
    private int apiPort;

    @Option(names = "--site", paramLabel = "NAME", defaultValue = DevOptions.DEFAULT_SITE,
            description = "A site whose jobs.<NAME> topic to create; repeatable. Default: ${DEFAULT-VALUE}.")
    private List<String> sites = new ArrayList<>();

    @Option(names = "--executor", paramLabel = "KIND", defaultValue = "auto",
            description = {"The site's backend: slurm (the local Slurm, through sbatch/squeue), local (pods run as "
                    + "processes of this user, no isolation), or auto: slurm when sinfo answers, else local.",
                    "Default: ${DEFAULT-VALUE}."})
    private String executor;

    @Mixin
    private ConfigOptions config;

    @Override
    public Integer call() throws InterruptedException {
        checkPort("--kafka-port", kafkaPort);
        checkPort("--registry-port", registryPort);
        checkPort("--api-port", apiPort);
        List<String> checkedSites = Sites.check(sites, spec);
        TopicsConfig topics = TopicsConfig.from(config.values(Ferry.root(spec).environment()));
        DevSite.Kind kind;
        try {
            kind = DevSite.Kind.parse(executor);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--executor " + e.getMessage());
        }
        DevOptions options = new DevOptions(workDir, kafkaPort, registryPort, apiPort, checkedSites, topics, kind);
        PrintWriter out = spec.commandLine().getOut();

        DevEnvironment environment = DevEnvironment.start(options);
        // the path for any other way the JVM ends (SIGHUP, System.exit elsewhere)
        Thread hook = new Thread(environment::close, "ferry-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            CompletableFuture<String> stop = new CompletableFuture<>();
            StopSignals.install(() -> stop.complete(null));
            environment.unexpectedExit().thenAccept(reason -> CompletableFuture.delayedExecutor(
                    SIGNAL_GRACE_MS, TimeUnit.MILLISECONDS).execute(() -> stop.complete(reason)));
            out.println(environment.describe(Paths.get("")));
            out.flush();

            String failure = stop.join();
            out.println(failure == null ? "Stopping Ferry dev ..." : "Stopping Ferry dev, because a process died ...");
            out.flush();
            environment.close();
            if (failure != null) {
                throw new CliException(Ferry.EXIT_FAILED, failure);
            }
            out.println("Stopped.");
            out.flush();
            return Ferry.EXIT_OK;
        } finally {
            environment.close();
            removeShutdownHook(hook);
        }
    }

    private void checkPort(String option, int port) {
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " must be between 0 (a free port) and 65535, was " + port);
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway, and closing twice does nothing
        }
    }
}
