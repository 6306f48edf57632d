package dev.ferry.loadtest.executor;

import dev.ferry.events.PodStatusEvent;
import dev.ferry.executor.process.LocalCommandRunner;
import dev.ferry.executor.slurm.SlurmBackend;
import dev.ferry.executor.slurm.SlurmSettings;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.loadtest.Bench;
import dev.ferry.loadtest.StatusLatency;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The executor with the Slurm backend against the real local Slurm ({@code executors/slurm/scripts/local-slurm.sh
 * start}; {@code SLURM_CONF} or {@code /tmp/ferry-slurm/etc/slurm.conf}). Three measurements:
 * <ol>
 *   <li><b>Submissions per second</b>: {@link SlurmBackend#submit} back to back (render the script, write the pod
 *       directory, run {@code sbatch}), for pods that run {@code true}.</li>
 *   <li><b>Status queries per poll cycle</b> with 1, 100 and 1,000 tracked jobs (held, so they stay queued and take
 *       no CPU): how many {@code squeue}, {@code sacct} and {@code scontrol} runs one {@link SlurmBackend#poll} makes,
 *       and how long it takes. The runtime makes one poll call per interval for all its jobs (ExecutorRuntimeTest).</li>
 *   <li><b>State change → event</b>: the full executor ({@code ferry executor} wiring: Kafka, registry, the
 *       runtime with its default 1 s poll interval) runs pods that sleep 2 s; for each pod, the time from the moment
 *       its container started (resp. ended), as the job script recorded it in milliseconds, to the
 *       {@code PodStatusEvent} RUNNING (resp. SUCCEEDED) on the topic (the record's timestamp). This includes
 *       Slurm's own lag in noticing the state change, the poll interval and the publish.</li>
 * </ol>
 * Usage: {@code ExecutorBenchmark [--submits N] [--pods N] [--tracked 1,100,1000]}.
 */
public final class ExecutorBenchmark {

    private ExecutorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.quietLogs();
        int submits = Bench.intArg(args, "--submits", 200);
        int pods = Bench.intArg(args, "--pods", 64);
        List<Integer> tracked = Bench.intListArg(args, "--tracked", "1,100,1000");
        Map<String, String> env = slurmEnvironment();
        LocalCommandRunner runner = new LocalCommandRunner(env, Path.of("/tmp"), Duration.ofSeconds(60));
        CommandResult sinfo = runner.run(List.of("sinfo", "-h", "-o", "%P"));
        if (!sinfo.ok()) {
            System.err.println("no Slurm reachable (" + sinfo.describe() + "): executors/slurm/scripts/local-slurm.sh start");
            System.exit(1);
        }
        String partition = sinfo.stdout().strip().split("\n")[0].replace("*", "");
        String version = runner.run(List.of("sinfo", "--version")).stdout().strip();
        Path work = Files.createTempDirectory(Path.of("/tmp"), "ferry-executor-bench-");
        System.out.printf(Locale.ROOT, "%s, partition %s, %d cores, load %s%n", version, partition,
                Runtime.getRuntime().availableProcessors(), Bench.load());

        submitRate(runner, work, partition, submits);
        pollCost(env, work, partition, tracked);
        latency(env, work, partition, pods);
        System.out.printf(Locale.ROOT, "load at the end: %s%n", Bench.load());
    }

    // ------------------------------------------------------------------------------------------ 1: submissions

    static void submitRate(LocalCommandRunner runner, Path work, String partition, int n) throws Exception {
        SlurmBackend backend = new SlurmBackend("bench-submit", SlurmSettings.of(work.resolve("submit").toString(), "host"), runner,
                ZoneId.systemDefault());
        List<JobHandle> handles = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            handles.add(backend.submit(new JobRequest(Bench.identity("bench-submit", partition), Bench.pod(List.of("true"), Map.of()))));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%nsubmissions: %d in %.1f s = %.1f/s (%.1f ms each: script, pod directory, sbatch)%n",
                n, seconds, n / seconds, seconds * 1000 / n);
        Bench.awaitFinished(backend, handles, Duration.ofMinutes(5), Duration.ofSeconds(1));
    }

    // ------------------------------------------------------------------------------------------ 2: poll cost

    static void pollCost(Map<String, String> env, Path work, String partition, List<Integer> sizes) throws Exception {
        System.out.printf(Locale.ROOT, "%nstatus queries per poll (held jobs):%n%8s %8s %8s %10s %12s%n", "tracked", "squeue", "sacct",
                "scontrol", "poll ms");
        List<String> allowed = new ArrayList<>(SlurmSettings.DEFAULT_ALLOWED_FLAGS);
        allowed.add("--hold");
        LocalCommandRunner runner = new LocalCommandRunner(env, Path.of("/tmp"), Duration.ofSeconds(120));
        SlurmBackend backend = new SlurmBackend("bench-poll", new SlurmSettings(work.resolve("poll").toString(), "host", null, allowed,
                null, null, null, null, null), runner, ZoneId.systemDefault());
        List<JobHandle> held = new ArrayList<>();
        PodJob pod = Bench.pod(List.of("true"), Map.of("slurm-job.vk.io/flags", "--hold"));
        try {
            for (int size : sizes) {
                while (held.size() < size) {
                    held.add(backend.submit(new JobRequest(Bench.identity("bench-poll", partition), pod)));
                }
                List<JobHandle> tracked = held.subList(0, size);
                backend.poll(tracked); // warm
                Map<String, Long> before = runner.invocations();
                int cycles = 5;
                long start = System.nanoTime();
                for (int c = 0; c < cycles; c++) {
                    Map<JobHandle, JobStatus> states = backend.poll(tracked);
                    if (states.size() != size) {
                        throw new IllegalStateException("poll answered for " + states.size() + " of " + size + " jobs");
                    }
                }
                double ms = (System.nanoTime() - start) / 1e6 / cycles;
                Map<String, Long> after = runner.invocations();
                System.out.printf(Locale.ROOT, "%8d %8.1f %8.1f %10.1f %12.1f%n", size, Bench.per(before, after, "squeue", cycles),
                        Bench.per(before, after, "sacct", cycles), Bench.per(before, after, "scontrol", cycles), ms);
            }
        } finally {
            for (int i = 0; i < held.size(); i += 200) {
                List<String> argv = new ArrayList<>(List.of("scancel"));
                held.subList(i, Math.min(held.size(), i + 200)).forEach(h -> argv.add(h.backendJobId()));
                runner.run(argv);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ 3: latency

    static void latency(Map<String, String> env, Path work, String partition, int n) throws Exception {
        String site = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Path podsDir = work.resolve("latency");
        String backend = "backend:\n  type: slurm\n  environment:\n    SLURM_CONF: '" + env.getOrDefault("SLURM_CONF", "")
                + "'\n  slurm:\n    workDir: " + podsDir + "\n    runtime: host\n";
        StatusLatency.measure(site, env, n, backend, i -> Bench.run(site, site + "/" + partition, "p" + i, List.of("sleep", "2")),
                uids -> recordedTimes(podsDir, uids), "container");
    }

    /** The job script's own records: {@code state/main.started} holds the start, {@code state/main.exit} "code end". */
    private static Map<String, StatusLatency.PodTimes> recordedTimes(Path podsDir, List<String> uids) {
        Map<String, StatusLatency.PodTimes> times = new HashMap<>();
        for (String uid : uids) {
            Path state = podsDir.resolve(uid + "-0").resolve("state");
            Optional<Long> started = millis(state.resolve("main.started"));
            Optional<Long> ended = millis(state.resolve("main.exit"));
            if (started.isPresent() && ended.isPresent()) {
                times.put(uid, new StatusLatency.PodTimes(started.get(), ended.get()));
            }
        }
        return times;
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Optional<Long> millis(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).strip().split(" ")[file.toString().endsWith(".exit") ? 1 : 0]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Map<String, String> slurmEnvironment() {
        Map<String, String> extra = new HashMap<>();
        String conf = System.getenv("SLURM_CONF");
        if ((conf == null || conf.isBlank()) && Files.exists(Path.of("/tmp/ferry-slurm/etc/slurm.conf"))) {
            conf = "/tmp/ferry-slurm/etc/slurm.conf";
        }
        if (conf != null) {
            extra.put("SLURM_CONF", conf);
        }
        return LocalCommandRunner.environment(System.getenv(), extra);
    }
}
