package dev.ferry.loadtest.htcondor;

import dev.ferry.events.PodStatusEvent;
import dev.ferry.executor.htcondor.ChrootCommandRunner;
import dev.ferry.executor.htcondor.HtcondorBackend;
import dev.ferry.executor.htcondor.HtcondorBackendFactory;
import dev.ferry.executor.htcondor.HtcondorSettings;
import dev.ferry.executor.htcondor.PodDirectories;
import dev.ferry.executor.htcondor.UnixUser;
import dev.ferry.executor.process.LocalCommandRunner;
import dev.ferry.executor.spi.CommandResult;
import dev.ferry.executor.spi.CommandRunner;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.loadtest.Bench;
import dev.ferry.loadtest.StatusLatency;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The executor with the HTCondor backend against the real local HTCondor of
 * {@code executors/htcondor/scripts/local-htcondor.sh start} (a chroot, {@code $FERRY_HTCONDOR_CHROOT}, default
 * /var/cache/ferry/htcondor-chroot; jobs as {@code $FERRY_HTCONDOR_USER}, default ferry; must run as root). Three
 * measurements:
 * <ol>
 *   <li><b>Submissions per second</b>: {@link HtcondorBackend#submit} back to back (render the submit description,
 *       write the pod directory, run {@code condor_submit} in the chroot), for pods that run {@code true}.</li>
 *   <li><b>Status queries per poll cycle</b> with 1, 100 and 1,000 tracked jobs (their requirements never match, so
 *       they stay idle and take no CPU): how many {@code condor_q}, {@code condor_history} and {@code condor_rm} runs
 *       one {@link HtcondorBackend#poll} makes, and how long it takes.</li>
 *   <li><b>State change → event</b>: the full executor (Kafka, registry, the runtime with its default 1 s poll
 *       interval) runs pods that sleep 2 s; for each pod, the time from the moment its command started (resp.
 *       ended), as the pod itself recorded in milliseconds, to the {@code PodStatusEvent} RUNNING (resp. SUCCEEDED)
 *       on the topic (the record's timestamp). This includes HTCondor's own lag in telling the schedd (the starter
 *       and shadow update intervals), the poll interval and the publish.</li>
 * </ol>
 *
 * <pre>
 *   mvn -B -o -q -pl executors/htcondor,load-tests -am install -DskipTests
 *   mvn -B -o -q -pl load-tests org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *       -Dexec.mainClass=dev.ferry.loadtest.htcondor.HtcondorBenchmark -Dexec.args="--submits 100 --pods 32 --tracked 1,100,1000"
 * </pre>
 */
public final class HtcondorBenchmark {

    private static final String PODS = "/var/lib/ferry/pods";

    private HtcondorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.quietLogs();
        int submits = Bench.intArg(args, "--submits", 100);
        int pods = Bench.intArg(args, "--pods", 32);
        List<Integer> tracked = Bench.intListArg(args, "--tracked", "1,100,1000");
        HtcondorSettings.Chroot chroot = new HtcondorSettings.Chroot(
                Optional.ofNullable(System.getenv("FERRY_HTCONDOR_CHROOT")).filter(s -> !s.isBlank()).orElse("/var/cache/ferry/htcondor-chroot"),
                Optional.ofNullable(System.getenv("FERRY_HTCONDOR_USER")).filter(s -> !s.isBlank()).orElse("ferry"));
        UnixUser user = HtcondorBackendFactory.chrootUser(chroot, "FERRY_HTCONDOR_CHROOT");
        Map<String, String> env = LocalCommandRunner.environment(System.getenv(), Map.of());
        CommandRunner probe = runner(env, chroot, user);
        CommandResult q = probe.run(List.of("condor_q", "-totals"));
        if (!q.ok()) {
            System.err.println("no HTCondor reachable (" + q.describe() + "): executors/htcondor/scripts/local-htcondor.sh start");
            System.exit(1);
        }
        String version = probe.run(List.of("condor_version")).stdout().lines().findFirst().orElse("?");
        String run = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        System.out.printf(Locale.ROOT, "%s, %d cores, load %s%n", version, Runtime.getRuntime().availableProcessors(), Bench.load());

        submitRate(env, chroot, user, run, submits);
        pollCost(env, chroot, user, run, tracked);
        latency(env, chroot, run, pods);
        System.out.printf(Locale.ROOT, "load at the end: %s%n", Bench.load());
    }

    static ChrootCommandRunner runner(Map<String, String> env, HtcondorSettings.Chroot chroot, UnixUser user) {
        return new ChrootCommandRunner(new LocalCommandRunner(env, Path.of("/tmp"), Duration.ofSeconds(300)), chroot.dir(), user);
    }

    static HtcondorBackend backend(String site, HtcondorSettings settings, CommandRunner runner, UnixUser user) {
        return new HtcondorBackend(site, settings, runner, new PodDirectories(Path.of(settings.chroot().dir()), Optional.of(user)),
                Clock.systemUTC());
    }

    // ------------------------------------------------------------------------------------------ 1: submissions

    static void submitRate(Map<String, String> env, HtcondorSettings.Chroot chroot, UnixUser user, String run, int n) throws Exception {
        String site = run + "-submit";
        HtcondorSettings settings = HtcondorSettings.of(PODS + "/" + site).withChroot(chroot);
        HtcondorBackend backend = backend(site, settings, runner(env, chroot, user), user);
        List<JobHandle> handles = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            handles.add(backend.submit(new JobRequest(Bench.identity(site, "default"), Bench.pod(List.of("true"), Map.of()))));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%nsubmissions: %d in %.1f s = %.1f/s (%.1f ms each: submit description, pod directory,"
                + " condor_submit)%n", n, seconds, n / seconds, seconds * 1000 / n);
        Bench.awaitFinished(backend, handles, Duration.ofMinutes(10), Duration.ofSeconds(1));
    }

    // ------------------------------------------------------------------------------------------ 2: poll cost

    static void pollCost(Map<String, String> env, HtcondorSettings.Chroot chroot, UnixUser user, String run, List<Integer> sizes)
            throws Exception {
        System.out.printf(Locale.ROOT, "%nstatus queries per poll (idle jobs that never match):%n%8s %10s %15s %10s %12s%n", "tracked",
                "condor_q", "condor_history", "condor_rm", "poll ms");
        String site = run + "-poll";
        ChrootCommandRunner runner = runner(env, chroot, user);
        HtcondorBackend backend = backend(site, HtcondorSettings.of(PODS + "/" + site).withChroot(chroot), runner, user);
        PodJob pod = Bench.pod(List.of("true"), Map.of(HtcondorSettings.ANNOTATION, "requirements = false"));
        List<JobHandle> idle = new ArrayList<>();
        try {
            for (int size : sizes) {
                while (idle.size() < size) {
                    idle.add(backend.submit(new JobRequest(Bench.identity(site, "default"), pod)));
                }
                List<JobHandle> tracked = idle.subList(0, size);
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
                System.out.printf(Locale.ROOT, "%8d %10.1f %15.1f %10.1f %12.1f%n", size, Bench.per(before, after, "condor_q", cycles),
                        Bench.per(before, after, "condor_history", cycles), Bench.per(before, after, "condor_rm", cycles), ms);
            }
        } finally {
            runner.run(List.of("condor_rm", "-constraint", "FerrySite == \"" + site + "\""));
        }
    }

    // ------------------------------------------------------------------------------------------ 3: latency

    static void latency(Map<String, String> env, HtcondorSettings.Chroot chroot, String run, int n) throws Exception {
        String site = run + "-latency";
        String workDir = PODS + "/" + site;
        String backend = "backend:\n  type: htcondor\n  htcondor:\n    workDir: " + workDir + "\n    chroot: {dir: " + chroot.dir()
                + ", user: " + chroot.user() + "}\n";
        // the pod records when its command really started and ended, in milliseconds, in its own work directory
        List<String> command = List.of("sh", "-c", "date +%s%3N > started; sleep 2; date +%s%3N > ended");
        StatusLatency.measure(site, env, n, backend, i -> Bench.run(site, site + "/default", "p" + i, command),
                uids -> recordedTimes(Path.of(chroot.dir(), workDir.substring(1)), uids), "command");
    }

    private static Map<String, StatusLatency.PodTimes> recordedTimes(Path podsDir, List<String> uids) {
        Map<String, StatusLatency.PodTimes> times = new HashMap<>();
        for (String uid : uids) {
            Path work = podsDir.resolve(uid + "-0").resolve("work");
            Optional<Long> started = millis(work.resolve("started"));
            Optional<Long> ended = millis(work.resolve("ended"));
            if (started.isPresent() && ended.isPresent()) {
                times.put(uid, new StatusLatency.PodTimes(started.get(), ended.get()));
            }
        }
        return times;
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Optional<Long> millis(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).strip()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
