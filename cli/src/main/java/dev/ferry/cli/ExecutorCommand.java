package dev.ferry.cli;

import dev.ferry.executor.Executor;
import dev.ferry.executor.config.SiteConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry executor --site NAME --config site.yaml}: one site's executor until SIGTERM or Ctrl-C. */
@Command(name = "executor",
        mixinStandardHelpOptions = true,
        versionProvider = FerryVersion.class,
        sortOptions = false,
        description = {
                "Run one site's executor: consume its jobs.<site> topic, run the pods on the site's backend "
                        + "(Slurm; HTCondor and VMs as their backends land), and publish pod status, logs and the "
                        + "site's pools.",
                "Safe to restart at any time: on start it asks the backend which of its jobs exist and reads back "
                        + "the last status it published, so no pod is submitted twice and a job that finished while it "
                        + "was down is still reported.",
                "SIGTERM or Ctrl-C stops consuming, finishes the command in hand (submission, status, offset "
                        + "commit) and exits 0; the backend's jobs keep running."},
        footer = {"%nsite.yaml (every key is optional unless marked):",
                "  site: hpc-a                       the site (or --site)",
                "  kafka: {bootstrapServers, groupId, properties}   default $KAFKA_BOOTSTRAP_SERVERS",
                "  registry: {url}                   default $FERRY_REGISTRY_URL",
                "  topics: {prefix, partitions, ...} as ferry.topic.* without the prefix",
                "  executor: {pollInterval 1s, poolInterval 30s, lostAfter 60s, recoveryLookback 7d,",
                "             logs: {chunkBytes 65536, bytesPerSecond 1048576, interval 1s}}",
                "  secrets: {keys: {KEY_ID: BASE64_32_BYTES}}",
                "  pools: {labels, taints, allowedNamespaces}",
                "  backend: (required) {type: slurm, environment: {SLURM_CONF: ...}, commandTimeout: 60s,",
                "           slurm: {workDir (required), runtime apptainer|singularity|podman|host, allowedFlags,",
                "                   allowPreExec false, allowHostPath false, partitions, gpuGres gpu}}",
                "A bad key fails at start with a message naming it."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:stopped by SIGTERM or Ctrl-C",
                "1:the executor failed (Kafka or the registry refused, an unexpected error)",
                "2:bad usage or configuration (the message names the key)"})
final class ExecutorCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--site", paramLabel = "NAME",
            description = "The site to run; must match 'site' in the file when both are given. Default: the file's.")
    private String site;

    @Option(names = "--config", paramLabel = "FILE", required = true, description = "The site's YAML configuration.")
    private Path config;

    @Override
    public Integer call() throws InterruptedException {
        SiteConfig siteConfig = SiteConfig.load(config);
        Executor executor = Executor.create(siteConfig, site, Ferry.root(spec).environment(), Clock.systemUTC());
        PrintWriter out = spec.commandLine().getOut();
        try {
            StopSignals.install(executor::stop);
            executor.start();
            out.println("ferry executor: site " + executor.site() + " (" + executor.backend().type() + " backend) is running;"
                    + " SIGTERM or Ctrl-C stops it");
            out.flush();
            while (!executor.await(Duration.ofSeconds(1))) {
                // the loop runs on its own thread until stop()
            }
        } finally {
            executor.close();
        }
        if (executor.runtime().failure().isPresent()) {
            throw new CliException(Ferry.EXIT_FAILED, "executor for site " + executor.site() + " failed: "
                    + executor.runtime().failure().get().getMessage(), executor.runtime().failure().get());
        }
        out.println("ferry executor: site " + executor.site() + " stopped");
        out.flush();
        return Ferry.EXIT_OK;
    }
}
