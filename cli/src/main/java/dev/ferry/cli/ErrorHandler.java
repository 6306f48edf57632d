package dev.ferry.cli;

import dev.ferry.schema.ConfigException;
import dev.ferry.schema.TopicAdmin;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns what a command throws into a message and an exit code. Expected errors (bad configuration, Kafka
 * unreachable, a {@link CliException}) are one line naming the command; their stack trace only with
 * {@code --verbose}. Anything else is a bug in Ferry and always shows its stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        String command = commandLine.getCommandSpec().qualifiedName();
        int exitCode;
        boolean expected = true;
        if (ex instanceof CliException cli) {
            exitCode = cli.exitCode();
        } else if (ex instanceof ConfigException) {
            exitCode = Ferry.EXIT_USAGE;
        } else if (ex instanceof TopicAdmin.KafkaUnavailableException) {
            exitCode = Ferry.EXIT_FAILED;
        } else {
            exitCode = Ferry.EXIT_FAILED;
            expected = false;
        }
        String message = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        err.println(commandLine.getColorScheme().errorText(command + ": " + (expected ? message : "failed: " + ex)));
        if (!expected || verbose(parseResult)) {
            ex.printStackTrace(err);
        } else if (ex.getCause() != null) {
            err.println("(run with --verbose for the stack trace)");
        }
        err.flush();
        return exitCode;
    }

    private static boolean verbose(ParseResult parseResult) {
        for (ParseResult result = parseResult; result != null; result = result.subcommand()) {
            if (result.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
