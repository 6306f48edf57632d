package dev.ferry.cli;

import dev.ferry.schema.TopicsConfig;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Site names given on the command line, each checked before anything is created for it. */
final class Sites {

    private Sites() {
    }

    /** The distinct sites in order, or a usage error naming the first illegal one. */
    static List<String> check(List<String> sites, CommandSpec spec) {
        for (String site : sites) {
            try {
                TopicsConfig.requireLegalSite(site);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--site: " + e.getMessage());
            }
        }
        return sites.stream().distinct().toList();
    }
}
