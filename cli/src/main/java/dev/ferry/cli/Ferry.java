package dev.ferry.cli;

import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code ferry} command. {@link #main} only wires the command line; each subcommand is its own class.
 *
 * <p>Exit codes are the same for every subcommand: {@link #EXIT_OK}, {@link #EXIT_FAILED} (something Ferry talks
 * to is unreachable, refused, or would not start) and {@link #EXIT_USAGE} (bad options or configuration).
 */
@Command(name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        sortOptions = false,
        description = {
                "Ferry runs Kubernetes pods on Slurm, HTCondor and cloud VMs: a virtual node hands each pod to a "
                        + "site through Kafka events, and status and logs come back the same way.",
                "",
                "Coming in a later version: replay."},
        subcommands = {DevCommand.class, TopicsCommand.class, GatewayCommand.class, RouterCommand.class, ExecutorCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:something Ferry needs is unreachable, refused, or failed to start",
                "2:bad usage or configuration"})
public final class Ferry implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    private final Map<String, String> environment;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show stack traces of errors (expected errors are one line without it).")
    private boolean verbose;

    /** Reads the configuration's environment variables from this process's environment. */
    public Ferry() {
        this(System.getenv());
    }

    /** Reads the configuration's environment variables ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code FERRY_*}) from {@code environment}. */
    public Ferry(Map<String, String> environment) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    }

    public static void main(String[] args) {
        System.exit(commandLine(new Ferry()).execute(args));
    }

    /** The command line for {@code ferry}, with Ferry's handling of expected errors (one line, exit code 1 or 2). */
    public static CommandLine commandLine(Ferry ferry) {
        CommandLine commandLine = new CommandLine(ferry);
        commandLine.setExecutionExceptionHandler(new ErrorHandler());
        return commandLine;
    }

    /** The environment the configuration reads its variables from. */
    Map<String, String> environment() {
        return environment;
    }

    /** The {@link Ferry} at the root of a (sub)command's hierarchy. */
    static Ferry root(CommandSpec spec) {
        return (Ferry) spec.root().userObject();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: dev, topics or help");
    }
}
