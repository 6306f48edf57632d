package dev.ferry.executor.htcondor;

import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs commands inside a chroot as an ordinary user, through another runner:
 * {@code chroot --userspec=UID:GID DIR /usr/bin/env HOME=... USER=... LOGNAME=... PROGRAM ARGS...},
 * still an argument list that no shell sees. The delegate runs locally (it must be root to chroot);
 * the same decoration would work over any transport that runs argument lists.
 *
 * <p>{@link #invocations()} counts the programs run inside, not {@code chroot}.
 */
public final class ChrootCommandRunner implements CommandRunner {

    private final CommandRunner delegate;
    private final String dir;
    private final UnixUser user;
    private final Map<String, LongAdder> invocations = new ConcurrentHashMap<>();

    /**
     * @param delegate runs the {@code chroot} command
     * @param dir      the root of the tree
     * @param user     the user inside the tree
     */
    public ChrootCommandRunner(CommandRunner delegate, String dir, UnixUser user) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.user = Objects.requireNonNull(user, "user");
    }

    /** The argument list that runs {@code argv} in the tree. */
    public List<String> wrap(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        if (argv.get(0).contains("=")) {
            // env(1) would take it for a variable assignment
            throw new IllegalArgumentException("program name must not contain '=': " + argv.get(0));
        }
        List<String> out = new ArrayList<>();
        out.add("chroot");
        out.add("--userspec=" + user.uid() + ":" + user.gid());
        out.add(dir);
        out.add("/usr/bin/env");
        out.add("HOME=" + user.home());
        out.add("USER=" + user.name());
        out.add("LOGNAME=" + user.name());
        out.addAll(argv);
        return out;
    }

    @Override
    public CommandResult run(List<String> argv, Duration timeout) throws BackendException {
        count(argv);
        CommandResult r = delegate.run(wrap(argv), timeout);
        return new CommandResult(argv, r.exitCode(), r.stdout(), r.stderr(), r.took());
    }

    @Override
    public CommandResult run(List<String> argv) throws BackendException {
        count(argv);
        CommandResult r = delegate.run(wrap(argv));
        return new CommandResult(argv, r.exitCode(), r.stdout(), r.stderr(), r.took());
    }

    @Override
    public Map<String, Long> invocations() {
        Map<String, Long> counts = new TreeMap<>();
        invocations.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }

    private void count(List<String> argv) {
        if (!argv.isEmpty()) {
            invocations.computeIfAbsent(Path.of(argv.get(0)).getFileName().toString(), k -> new LongAdder()).increment();
        }
    }

    @Override
    public String toString() {
        return "chroot " + dir + " as " + user.name();
    }
}
