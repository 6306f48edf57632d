package dev.ferry.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code ferry} in this JVM with captured output, as {@link Ferry#main} would (without System.exit). */
record CliRun(int exitCode, String out, String err) {

    static CliRun ferry(String... args) {
        return ferry(Map.of(), args);
    }

    static CliRun ferry(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Ferry.commandLine(new Ferry(environment));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }
}
