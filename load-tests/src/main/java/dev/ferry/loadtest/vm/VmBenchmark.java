package dev.ferry.loadtest.vm;

import dev.ferry.events.PodStatusEvent;
import dev.ferry.executor.spi.JobHandle;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.JobStatus;
import dev.ferry.executor.vm.VmBackend;
import dev.ferry.executor.vm.VmBackendFactory;
import dev.ferry.executor.vm.VmSettings;
import dev.ferry.executor.vm.provision.StaticProvisioner;
import dev.ferry.executor.vm.ssh.SshClient;
import dev.ferry.executor.vm.ssh.SshTarget;
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
import java.util.UUID;

/**
 * The executor with the VM backend against the real local sshd ({@code executors/vm/scripts/local-vm.sh start};
 * reads {@code $FERRY_VM_DIR/env}, default {@code /tmp/ferry-vm/env}), pods with the {@code host} runtime.
 * Three measurements:
 * <ol>
 *   <li><b>Submissions per second</b>: {@link VmBackend#submit} back to back (render the wrapper, one SSH round trip
 *       that writes the job directory and starts the wrapper detached and waits for its PID file), pods that run
 *       {@code true}.</li>
 *   <li><b>Status queries per poll cycle</b> with 1, 100 and 1,000 jobs on one host: SSH round trips per
 *       {@link VmBackend#poll} (one status script for all the host's jobs) and how long it takes; also
 *       {@link VmBackend#listOwned}. The jobs have finished (a running job costs the same: its files plus one
 *       {@code /proc/PID/stat} read).</li>
 *   <li><b>State change → event</b>: the full executor ({@code ferry executor} wiring: Kafka, registry, the
 *       runtime with its default 1 s poll interval) runs pods that sleep 2 s; per pod, the time from the moment its
 *       container started (resp. ended), as the wrapper recorded it in milliseconds, to the {@code PodStatusEvent}
 *       RUNNING (resp. SUCCEEDED) on the topic (the record's timestamp).</li>
 * </ol>
 * Usage: {@code VmBenchmark [--submits N] [--pods N] [--tracked 1,100,1000]}.
 */
public final class VmBenchmark {

    private static final String WORK = ".ferry-bench/jobs";

    private VmBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.quietLogs();
        int submits = Bench.intArg(args, "--submits", 200);
        int pods = Bench.intArg(args, "--pods", 32);
        List<Integer> tracked = Bench.intListArg(args, "--tracked", "1,100,1000");
        Map<String, String> vm = localVm();
        VmSettings settings = settings(vm);
        try (SshClient ssh = new SshClient(VmBackendFactory.sshSettings(settings))) {
            SshTarget target = new SshTarget("local", vm.get("FERRY_VM_HOST"), Integer.parseInt(vm.get("FERRY_VM_PORT")), vm.get("FERRY_VM_USER"));
            String about = ssh.exec(target, "uname -sr; ssh -V 2>&1 | head -1", new byte[0], Duration.ofSeconds(10)).stdoutText();
            System.out.printf(Locale.ROOT, "VM: %s@%s:%s (%s), %d cores, load %s%n", target.user(), target.address(), target.port(),
                    about.strip().replace('\n', ','), Runtime.getRuntime().availableProcessors(), Bench.load());
            try {
                submitRate(settings, ssh, submits);
                pollCost(settings, ssh, tracked);
            } finally {
                ssh.exec(target, "rm -rf .ferry-bench", new byte[0], Duration.ofMinutes(2));
            }
            latency(vm, ssh, target, pods);
            ssh.exec(target, "rm -rf .ferry-bench", new byte[0], Duration.ofMinutes(2));
        }
        System.out.printf(Locale.ROOT, "load at the end: %s%n", Bench.load());
    }

    // ------------------------------------------------------------------------------------------ 1: submissions

    static void submitRate(VmSettings settings, SshClient ssh, int n) throws Exception {
        String site = "bench-submit-" + UUID.randomUUID().toString().substring(0, 8);
        VmBackend backend = new VmBackend(site, settings, ssh, new StaticProvisioner(), Clock.systemUTC(), false);
        backend.discoverPools();
        List<JobHandle> handles = new ArrayList<>();
        long before = ssh.execCount("local");
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            handles.add(backend.submit(new JobRequest(Bench.identity(site, "local"), Bench.pod(List.of("true"), Map.of()))));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%nsubmissions: %d in %.1f s = %.1f/s (%.1f ms each; %.2f SSH round trips each)%n", n, seconds,
                n / seconds, seconds * 1000 / n, (ssh.execCount("local") - before) / (double) n);
        Bench.awaitFinished(backend, handles, Duration.ofMinutes(5), Duration.ofMillis(500));
    }

    // ------------------------------------------------------------------------------------------ 2: poll cost

    static void pollCost(VmSettings settings, SshClient ssh, List<Integer> sizes) throws Exception {
        String site = "bench-poll-" + UUID.randomUUID().toString().substring(0, 8);
        VmBackend backend = new VmBackend(site, settings, ssh, new StaticProvisioner(), Clock.systemUTC(), false);
        System.out.printf(Locale.ROOT, "%nstatus queries per poll (one host, finished jobs):%n%8s %14s %10s %16s %14s%n", "jobs",
                "round trips", "poll ms", "listOwned trips", "listOwned ms");
        List<JobHandle> jobs = new ArrayList<>();
        for (int size : sizes) {
            List<JobHandle> fresh = new ArrayList<>();
            while (jobs.size() < size) {
                JobHandle h = backend.submit(new JobRequest(Bench.identity(site, "local"), Bench.pod(List.of("true"), Map.of())));
                jobs.add(h);
                fresh.add(h);
            }
            Bench.awaitFinished(backend, fresh, Duration.ofMinutes(5), Duration.ofMillis(500));
            List<JobHandle> tracked = jobs.subList(0, size);
            backend.poll(tracked); // warm
            int cycles = 5;
            long before = ssh.execCount("local");
            long start = System.nanoTime();
            for (int c = 0; c < cycles; c++) {
                Map<JobHandle, JobStatus> states = backend.poll(tracked);
                if (states.size() != size) {
                    throw new IllegalStateException("poll answered for " + states.size() + " of " + size + " jobs");
                }
            }
            double ms = (System.nanoTime() - start) / 1e6 / cycles;
            double trips = (ssh.execCount("local") - before) / (double) cycles;
            long listBefore = ssh.execCount("local");
            long listStart = System.nanoTime();
            int owned = backend.listOwned().size();
            double listMs = (System.nanoTime() - listStart) / 1e6;
            if (owned != jobs.size()) {
                throw new IllegalStateException("listOwned found " + owned + " of " + jobs.size() + " jobs");
            }
            System.out.printf(Locale.ROOT, "%8d %14.1f %10.1f %16d %14.1f%n", size, trips, ms, ssh.execCount("local") - listBefore, listMs);
        }
    }

    // ------------------------------------------------------------------------------------------ 3: latency

    static void latency(Map<String, String> vm, SshClient ssh, SshTarget target, int n) throws Exception {
        String site = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        String backend = """
                backend:
                  type: vm
                  vm:
                    user: %s
                    identityFile: %s
                    knownHostsFile: %s
                    workDir: %s
                    pools:
                      - name: local
                        runtime: host
                        hosts:
                          - name: local
                            address: %s
                            port: %s
                """.formatted(vm.get("FERRY_VM_USER"), vm.get("FERRY_VM_KEY"), vm.get("FERRY_VM_KNOWN_HOSTS"), WORK,
                vm.get("FERRY_VM_HOST"), vm.get("FERRY_VM_PORT"));
        StatusLatency.measure(site, System.getenv(), n, backend, i -> Bench.run(site, site + "/local", "p" + i, List.of("sleep", "2")),
                uids -> recordedTimes(ssh, target, site), "container");
    }

    /** The wrapper's own millisecond records of each container's start and end, read in one round trip. */
    private static Map<String, StatusLatency.PodTimes> recordedTimes(SshClient ssh, SshTarget target, String site) {
        try {
            String out = ssh.exec(target, "cd " + WORK + "/" + site + " && for d in *-0; do printf '%s ' \"$d\"; cat \"$d/state/main.started\" "
                    + "\"$d/state/main.exit\" | tr '\\n' ' '; echo; done", new byte[0], Duration.ofMinutes(1)).stdoutText();
            Map<String, StatusLatency.PodTimes> times = new HashMap<>();
            for (String line : out.split("\n")) {
                String[] w = line.strip().split("\\s+");
                if (w.length >= 4) {
                    times.put(w[0].substring(0, w[0].length() - 2), new StatusLatency.PodTimes(Long.parseLong(w[1]), Long.parseLong(w[3])));
                }
            }
            return times;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the pods' recorded times over SSH", e);
        }
    }

    private static VmSettings settings(Map<String, String> vm) {
        VmSettings.PoolSettings pool = VmSettings.PoolSettings.of("local", "host",
                List.of(new VmSettings.HostSettings("local", vm.get("FERRY_VM_HOST"), Integer.parseInt(vm.get("FERRY_VM_PORT")), null)));
        return new VmSettings(vm.get("FERRY_VM_USER"), vm.get("FERRY_VM_KEY"), null, vm.get("FERRY_VM_KNOWN_HOSTS"), WORK, null,
                Duration.ofMinutes(2), null, null, null, null, List.of(pool));
    }

    private static Map<String, String> localVm() throws IOException {
        Path file = Path.of(System.getenv().getOrDefault("FERRY_VM_DIR", "/tmp/ferry-vm"), "env");
        if (!Files.isReadable(file)) {
            System.err.println("no local sshd: " + file + " is missing; start it with executors/vm/scripts/local-vm.sh start");
            System.exit(1);
        }
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }
}
