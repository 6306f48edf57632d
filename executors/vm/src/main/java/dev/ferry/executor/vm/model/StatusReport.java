package dev.ferry.executor.vm.model;

import dev.ferry.executor.spi.JobIdentity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What one run of a {@link RemoteScripts#status status script} printed, parsed. Lines it does not
 * understand are ignored (a newer script may print more); a job line for a name that is not a job
 * directory name is dropped.
 *
 * @param now      the VM's clock when the script ran (epoch millis), when printed
 * @param facts    the host's CPUs, memory and GPUs, when asked for
 * @param jobs     per job directory name
 * @param logSizes per {@code DIR/CONTAINER/STREAM} the size of the output file in bytes
 * @param gone     job directories the script deleted (finished longer ago than the retention)
 */
public record StatusReport(OptionalLong now, Optional<HostFacts> facts, Map<String, JobReport> jobs, Map<String, Long> logSizes,
                           Set<String> gone) {

    public StatusReport {
        jobs = Map.copyOf(jobs);
        logSizes = Map.copyOf(logSizes);
        gone = Set.copyOf(gone);
    }

    /** A job's state as the script found it. */
    public enum State {
        /** Submitted; the wrapper has not recorded its PID yet. */
        STARTING,
        /** The wrapper runs. */
        RUNNING,
        /** The wrapper wrote its exit code. */
        FINISHED,
        /** The wrapper is gone without writing an exit code (SIGKILL, OOM killer, reboot). */
        VANISHED,
        /** No such job directory. */
        MISSING
    }

    /**
     * One job.
     *
     * @param dir        the job directory name
     * @param state      see {@link State}
     * @param submitted  when the submit script wrote it (VM clock, epoch millis)
     * @param started    when the wrapper started
     * @param exitCode   the wrapper's exit code, when finished
     * @param finished   when it finished
     * @param cancelled  when a cancel was requested
     * @param deadline   when the activeDeadlineSeconds watchdog fired
     * @param identity   the stored identity (printed when listing all jobs)
     * @param resources  what the pod requested
     * @param containers per container, init containers first, as the containers file lists them
     */
    public record JobReport(String dir, State state, OptionalLong submitted, OptionalLong started, Optional<Integer> exitCode,
                            OptionalLong finished, OptionalLong cancelled, OptionalLong deadline, Optional<JobIdentity> identity,
                            Resources resources, List<ContainerReport> containers) {
        public JobReport {
            containers = List.copyOf(containers);
        }

        JobReport with(Optional<JobIdentity> id, Resources res, List<ContainerReport> ctrs) {
            return new JobReport(dir, state, submitted, started, exitCode, finished, cancelled, deadline, id, res, ctrs);
        }
    }

    /**
     * One container.
     *
     * @param init     whether it is an init container
     * @param name     its name
     * @param started  when it started
     * @param exitCode its exit code, once it exited
     * @param finished when it exited
     */
    public record ContainerReport(boolean init, String name, OptionalLong started, Optional<Integer> exitCode, OptionalLong finished) {
    }

    /**
     * A host's size.
     *
     * @param cpus     online CPUs ({@code nproc})
     * @param memKiB   MemTotal of {@code /proc/meminfo}
     * @param gpus     the lines of {@code nvidia-smi -L} ({@code GPU 0: NVIDIA A100-SXM4-40GB (UUID: ...)})
     */
    public record HostFacts(int cpus, long memKiB, List<String> gpus) {
        public HostFacts {
            gpus = List.copyOf(gpus);
        }

        /** The host's capacity. */
        public Resources capacity() {
            return new Resources(cpus * 1000L, memKiB * 1024, gpus.size());
        }

        /** The first GPU's model ({@code NVIDIA A100-SXM4-40GB}), if any. */
        public Optional<String> gpuProduct() {
            if (gpus.isEmpty()) {
                return Optional.empty();
            }
            String line = gpus.get(0);
            int colon = line.indexOf(':');
            int paren = line.lastIndexOf(" (UUID");
            String product = line.substring(colon < 0 ? 0 : colon + 1, paren > colon ? paren : line.length()).strip();
            return product.isEmpty() ? Optional.empty() : Optional.of(product);
        }
    }

    /** Parses a status script's output. */
    public static StatusReport parse(String text) {
        OptionalLong now = OptionalLong.empty();
        Integer cpus = null;
        long memKiB = 0;
        List<String> gpus = new ArrayList<>();
        Map<String, JobReport> jobs = new LinkedHashMap<>();
        Map<String, Map<String, String>> idents = new LinkedHashMap<>();
        Map<String, Resources> res = new LinkedHashMap<>();
        Map<String, List<ContainerReport>> ctrs = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        Set<String> gone = new LinkedHashSet<>();
        for (String raw : text.split("\n")) {
            String line = raw.stripTrailing();
            String[] w = line.split(" ", 3);
            switch (w[0]) {
                case "now" -> now = number(w.length > 1 ? w[1] : null);
                case "host" -> {
                    Map<String, String> f = JobLayout.fields(line.substring(4));
                    cpus = (int) number(f.get("cpus")).orElse(0);
                    memKiB = number(f.get("memKiB")).orElse(0);
                }
                case "gpu" -> {
                    if (line.length() > 4 && line.substring(4).startsWith("GPU ")) {
                        gpus.add(line.substring(4));
                    }
                }
                case "job" -> {
                    if (w.length < 2 || !JobLayout.isDirName(w[1])) {
                        continue;
                    }
                    Map<String, String> f = JobLayout.fields(w.length > 2 ? w[2] : "");
                    State state = switch (f.getOrDefault("state", "")) {
                        case "starting" -> State.STARTING;
                        case "running" -> State.RUNNING;
                        case "finished" -> State.FINISHED;
                        case "vanished" -> State.VANISHED;
                        default -> State.MISSING;
                    };
                    Optional<Integer> code = number(f.get("code")).isPresent()
                            ? Optional.of((int) number(f.get("code")).getAsLong()) : Optional.empty();
                    if (state == State.FINISHED && code.isEmpty()) {
                        code = Optional.of(1);
                    }
                    jobs.put(w[1], new JobReport(w[1], state, number(f.get("sub")), number(f.get("start")), code, number(f.get("end")),
                            number(f.get("cancelled")), number(f.get("deadline")), Optional.empty(), Resources.NONE, List.of()));
                }
                case "ident" -> {
                    if (w.length > 2 && JobLayout.isDirName(w[1])) {
                        idents.put(w[1], JobLayout.fields(w[2]));
                    }
                }
                case "res" -> {
                    if (w.length > 2 && JobLayout.isDirName(w[1])) {
                        res.put(w[1], Resources.fromFields(JobLayout.fields(w[2])));
                    }
                }
                case "ctr" -> {
                    String[] c = line.split(" ", 5);
                    if (c.length < 4 || !JobLayout.isDirName(c[1]) || !(c[2].equals("init") || c[2].equals("main"))) {
                        continue;
                    }
                    Map<String, String> f = JobLayout.fields(c.length > 4 ? c[4] : "");
                    OptionalLong code = number(f.get("code"));
                    ctrs.computeIfAbsent(c[1], k -> new ArrayList<>()).add(new ContainerReport(c[2].equals("init"), c[3],
                            number(f.get("start")), code.isPresent() ? Optional.of((int) code.getAsLong()) : Optional.empty(),
                            number(f.get("end"))));
                }
                case "size" -> {
                    if (w.length < 3) {
                        continue;
                    }
                    OptionalLong size = number(w[1]);
                    String[] path = w[2].split("/");
                    if (size.isEmpty() || path.length < 3 || !path[path.length - 2].equals("logs")) {
                        continue;
                    }
                    String dir = path[path.length - 3];
                    String file = path[path.length - 1];
                    int dot = file.lastIndexOf('.');
                    if (dot > 0 && JobLayout.isDirName(dir)) {
                        sizes.put(dir + "/" + file.substring(0, dot) + "/" + file.substring(dot + 1), size.getAsLong());
                    }
                }
                case "gone" -> {
                    if (w.length > 1 && JobLayout.isDirName(w[1])) {
                        gone.add(w[1]);
                    }
                }
                default -> {
                    // a line of a newer script, or noise from the login shell
                }
            }
        }
        Map<String, JobReport> complete = new LinkedHashMap<>();
        for (JobReport j : jobs.values()) {
            Optional<JobIdentity> id = idents.containsKey(j.dir()) ? JobLayout.parseIdentity(idents.get(j.dir())) : Optional.empty();
            complete.put(j.dir(), j.with(id, res.getOrDefault(j.dir(), Resources.NONE), ctrs.getOrDefault(j.dir(), List.of())));
        }
        Optional<HostFacts> facts = cpus == null ? Optional.empty() : Optional.of(new HostFacts(cpus, memKiB, gpus));
        return new StatusReport(now, facts, complete, sizes, gone);
    }

    /** The key of {@link #logSizes()}: {@code DIR/CONTAINER/STREAM} ({@code stdout} or {@code stderr}). */
    public static String logKey(String dir, String container, String stream) {
        return dir + "/" + container + "/" + stream;
    }

    private static OptionalLong number(String text) {
        if (text == null || text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
