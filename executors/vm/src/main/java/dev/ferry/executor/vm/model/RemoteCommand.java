package dev.ferry.executor.vm.model;

import dev.ferry.executor.model.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An argument list as one SSH command line. SSH has no argument vector: the server hands a single
 * string to the remote user's login shell, which splits and expands it. So every argument is
 * single-quoted ({@link Shell#quote}) and the shell sees exactly the words it was given, whatever
 * they contain ({@code $(...)}, backticks, {@code ;}, newlines, quotes, globs). Extra environment
 * goes in front through {@code env NAME=VALUE}. The remote login shell must be a POSIX shell (sh,
 * bash, dash, ksh, zsh), as it is for every ordinary account; csh and fish quote differently.
 */
public final class RemoteCommand {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private RemoteCommand() {
    }

    /**
     * The command line for {@code argv} with {@code environment} set for it.
     *
     * @throws IllegalArgumentException for an empty argument list, an environment name that is not a
     *         shell identifier, a program name with '=' when there is environment (env would read it
     *         as an assignment), or a NUL character anywhere
     */
    public static String of(Map<String, String> environment, List<String> argv) {
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> words = new ArrayList<>();
        if (!environment.isEmpty()) {
            if (argv.get(0).contains("=")) {
                throw new IllegalArgumentException("program name '" + argv.get(0) + "' contains '='");
            }
            words.add("env");
            environment.forEach((name, value) -> {
                if (!ENV_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("environment name '" + name + "' is not a shell identifier");
                }
                words.add(name + "=" + value);
            });
        }
        words.addAll(argv);
        return Shell.quoteAll(words);
    }

    /** The command line for {@code argv}. */
    public static String of(List<String> argv) {
        return of(Map.of(), argv);
    }
}
