package dev.ferry.executor.vm.ssh;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.CommandRunner;
import dev.ferry.executor.vm.model.RemoteCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link CommandRunner} that runs each argument list on a remote host over SSH, as one properly
 * quoted command line ({@link RemoteCommand}): no argument is ever interpreted by the remote shell.
 * Any backend that drives command-line tools can use it to reach a remote head node, e.g. the
 * HTCondor backend running {@code condor_submit} / {@code condor_q} on a site's schedd host, or the
 * Slurm backend on a login node.
 *
 * <p>The remote command runs with the login user's environment plus {@code environment}, in the
 * login user's home directory, with an empty standard input. As with a local runner, a program
 * that cannot be started (the remote shell, or env, exits 127 with "not found" or "No such file or directory") is a
 * {@code BackendException} {@code UNAVAILABLE}, and so is a host that cannot be reached; any other
 * exit code is a result.
 */
public final class SshCommandRunner implements CommandRunner {

    private final SshClient client;
    private final SshTarget target;
    private final Map<String, String> environment;
    private final Duration defaultTimeout;
    private final Map<String, LongAdder> invocations = new ConcurrentHashMap<>();

    /**
     * @param client         the connections (shared with other runners and backends)
     * @param target         the host and user to run as
     * @param environment    extra environment for every command (e.g. {@code CONDOR_CONFIG})
     * @param defaultTimeout how long {@link #run(List)} waits
     */
    public SshCommandRunner(SshClient client, SshTarget target, Map<String, String> environment, Duration defaultTimeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.target = Objects.requireNonNull(target, "target");
        this.environment = new TreeMap<>(environment);
        this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        // fail at construction, not at the first command
        RemoteCommand.of(this.environment, List.of("true"));
    }

    @Override
    public CommandResult run(List<String> argv) throws BackendException {
        return run(argv, defaultTimeout);
    }

    @Override
    public CommandResult run(List<String> argv, Duration timeout) throws BackendException {
        String command = RemoteCommand.of(environment, argv);
        String program = argv.get(0);
        invocations.computeIfAbsent(program.substring(program.lastIndexOf('/') + 1), k -> new LongAdder()).increment();
        ExecResult result = client.exec(target, command, new byte[0], timeout);
        if (result.exitCode() == 127 && result.stdout().length == 0
                && (result.stderr().contains("not found") || result.stderr().contains("No such file or directory"))) {
            // what a local runner reports as "cannot start": the shell on the other side found no such program
            throw new BackendException(BackendException.Reason.UNAVAILABLE, "cannot run " + program + " on " + target.display() + ": "
                    + result.stderr().strip() + " (is it installed and on the login user's PATH there?)");
        }
        return new CommandResult(argv, result.exitCode(), new String(result.stdout(), StandardCharsets.UTF_8), result.stderr(), result.took());
    }

    @Override
    public Map<String, Long> invocations() {
        Map<String, Long> out = new TreeMap<>();
        invocations.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Where the commands run. */
    public SshTarget target() {
        return target;
    }
}
