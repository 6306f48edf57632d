package dev.ferry.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ferry topics}: groups the commands that manage Ferry's Kafka topics. */
@Command(name = "topics",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        description = "Manage Ferry's Kafka topics.",
        subcommands = {TopicsApplyCommand.class})
final class TopicsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: apply");
    }
}
