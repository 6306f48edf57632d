package dev.ferry.loadtest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.ferry.events.CommandType;
import dev.ferry.events.Container;
import dev.ferry.events.IntentOperation;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodRef;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.events.RestartPolicy;
import dev.ferry.executor.spi.Backend;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.PodJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;

/** What the backend benchmarks share: arguments, the machine's load, bench pods and commands, waiting, printing. */
public final class Bench {

    private Bench() {
    }

    /** Only warnings on the console: the benchmark's own output is the report. */
    public static void quietLogs() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }

    /** {@code /proc/loadavg}, so every report says how busy the machine was. */
    public static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String stringArg(String[] args, String name, String def) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return def;
    }

    public static int intArg(String[] args, String name, int def) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(def)));
    }

    /** A comma-separated list of whole numbers, e.g. {@code --tracked 1,100,1000}. */
    public static List<Integer> intListArg(String[] args, String name, String def) {
        List<Integer> values = new ArrayList<>();
        for (String n : stringArg(args, name, def).split(",")) {
            values.add(Integer.parseInt(n.strip()));
        }
        return values;
    }

    /** The identity of one bench pod's job in {@code pool}. */
    public static JobIdentity identity(String site, String pool) {
        return new JobIdentity(site, UUID.randomUUID().toString(), "bench", "p", 0, pool);
    }

    /** A one-container pod as a backend receives it. */
    public static PodJob pod(List<String> command, Map<String, String> annotations) {
        return new PodJob(Map.of(), annotations, List.of(), List.of(new PodJob.ContainerSpec("main", "none", command, List.of(),
                List.of(), Optional.empty(), Map.of(), Map.of(), List.of())), List.of(), Optional.empty(), "Never");
    }

    /** A RUN command for a one-container pod, as the router would send it. */
    public static JobCommand run(String site, String poolId, String name, List<String> command) {
        String uid = UUID.randomUUID().toString();
        PodRef ref = PodRef.newBuilder().setNamespace("bench").setName(name).setUid(uid).build();
        Container c = Container.newBuilder().setName("main").setImage("none").setCommand(command).build();
        PodIntent intent = PodIntent.newBuilder().setIntentId(uid + "/CREATE/1").setOperation(IntentOperation.CREATE).setPod(ref)
                .setNodeName("ferry").setSpec(PodSpecSnapshot.newBuilder().setContainers(List.of(c)).setRestartPolicy(RestartPolicy.NEVER).build())
                .setCreatedAt(Instant.now()).build();
        return JobCommand.newBuilder().setCommandId(uid + "/run").setType(CommandType.RUN).setPod(ref).setSite(site)
                .setPoolId(poolId).setIntent(intent).setIssuedAt(Instant.now()).build();
    }

    /** Polls {@code backend} every {@code interval} until every job is terminal. */
    public static void awaitFinished(Backend backend, List<JobHandle> handles, Duration timeout, Duration interval) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<JobHandle, JobStatus> states = backend.poll(handles);
            if (states.size() == handles.size() && states.values().stream().allMatch(JobStatus::isTerminal)) {
                return;
            }
            Thread.sleep(interval.toMillis());
        }
        throw new IllegalStateException("jobs did not finish within " + timeout);
    }

    /** Runs of {@code command} per poll cycle between two snapshots of a runner's invocation counts. */
    public static double per(Map<String, Long> before, Map<String, Long> after, String command, int cycles) {
        return (after.getOrDefault(command, 0L) - before.getOrDefault(command, 0L)) / (double) cycles;
    }

    public static void print(String what, Histogram h) {
        System.out.printf(Locale.ROOT, "  %-32s n=%d p50=%d ms p99=%d ms max=%d ms%n", what, h.getTotalCount(),
                h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
    }
}
