package dev.ferry.executor.htcondor;

import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.schema.ConfigException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HTCondor backend's section of {@code site.yaml} ({@code backend.htcondor}). Example:
 *
 * <pre>{@code
 * backend:
 *   type: htcondor
 *   htcondor:
 *     workDir: /var/lib/ferry/pods          # as the schedd and the jobs see it
 *     universe: vanilla                     # or container
 *     chroot: {dir: /var/cache/ferry/htcondor-chroot, user: ferry}
 *     heldTimeout: 30m
 *     pools:
 *       - {name: cpu, constraint: 'TotalSlotGPUs =?= 0 || TotalSlotGPUs == 0'}
 *       - {name: gpu, constraint: 'TotalSlotGPUs > 0'}
 * }</pre>
 *
 * @param workDir                where each pod gets its directory ({@code <workDir>/<pod-uid>-<attempt>}: submit
 *                               description, output files, volumes), as the schedd and the jobs see it; with
 *                               {@code should_transfer_files = NO} it must be on a file system shared with the execute
 *                               nodes (required)
 * @param universe               {@code vanilla} (default: the command runs on the execute node) or {@code container}
 *                               (HTCondor runs the container's image with its container runtime)
 * @param chroot                 run HTCondor's tools inside a chroot as an ordinary user (the local test setup, or a site
 *                               whose HTCondor lives in a tree of its own); absent: run them directly as this process's user
 * @param schedd                 the schedd to use ({@code -name}); default the local one
 * @param collector              the pool's collector ({@code -pool}); default the configured one
 * @param pools                  the pools to advertise, each a ClassAd constraint on slots that is also added to the
 *                               job's requirements; default one pool {@code default} of all slots
 * @param allowedSubmitCommands  submit commands a pod may add through {@value #ANNOTATION}; default
 *                               {@link #DEFAULT_ALLOWED_SUBMIT_COMMANDS}
 * @param heldTimeout            how long a held job keeps its pod Pending (with the hold reason) before the pod fails
 *                               and the job is removed; default 30m
 * @param historyLookback        how far back a starting executor looks in the schedd's history for jobs it submitted;
 *                               default 1d
 * @param jobEnvironment         variables every job gets (before the container's own), e.g. {@code PATH}
 * @param commands               where HTCondor's programs are (default: on PATH)
 */
public record HtcondorSettings(
        String workDir,
        String universe,
        Chroot chroot,
        String schedd,
        String collector,
        List<Pool> pools,
        List<String> allowedSubmitCommands,
        Duration heldTimeout,
        Duration historyLookback,
        Map<String, String> jobEnvironment,
        Commands commands) {

    /** The annotation through which a pod adds submit commands, one {@code name = value} per line. */
    public static final String ANNOTATION = "htcondor-job.ferry.dev/submit";

    /** Submit commands a pod may add unless the site says otherwise. */
    public static final List<String> DEFAULT_ALLOWED_SUBMIT_COMMANDS = List.of("request_disk", "requirements", "rank", "priority",
            "accounting_group", "accounting_group_user", "concurrency_limits", "job_max_vacate_time", "nice_user", "+ProjectName");

    /**
     * Submit commands no site may allow: Ferry sets them itself (identity, files, resources, what runs), or they would
     * run something outside the pod ({@code include}, file transfer, {@code getenv}).
     */
    public static final Set<String> NEVER_ALLOWED = Set.of("executable", "arguments", "args", "environment", "env", "universe",
            "queue", "output", "error", "input", "log", "initialdir", "initial_dir", "transfer_executable", "transfer_input_files",
            "transfer_output_files", "transfer_output_remaps", "should_transfer_files", "when_to_transfer_output", "getenv",
            "batch_name", "jobbatchname", "container_image", "docker_image", "request_cpus", "request_memory", "request_gpus",
            "periodic_remove", "on_exit_remove", "leave_in_queue", "hold", "include", "use", "cron_minute", "cron_hour", "deferral_time", "run_as_owner", "load_profile", "x509userproxy", "use_oauth_services");

    /**
     * Whether a submit command is one no pod may set: in {@link #NEVER_ALLOWED}, or a job attribute of Ferry's own
     * ({@code +Ferry...}, {@code +Pod...}, also written {@code MY.Ferry...}), which identify the job.
     */
    public static boolean isReserved(String command) {
        String lower = command.toLowerCase(Locale.ROOT);
        String attribute = lower.startsWith("my.") ? "+" + lower.substring(3) : lower;
        return NEVER_ALLOWED.contains(lower) || attribute.startsWith("+ferry") || attribute.startsWith("+pod");
    }

    /** The universes a site can choose. */
    public static final List<String> UNIVERSES = List.of("vanilla", "container");

    private static final Pattern COMMAND_NAME = Pattern.compile("(\\+|(?i:my\\.))?[A-Za-z_][A-Za-z0-9_.]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PROGRAM = Pattern.compile("[A-Za-z0-9_./+-]+");

    public HtcondorSettings {
        if (workDir == null || workDir.isBlank()) {
            throw new ConfigException("workDir", "is required: a directory the schedd and the jobs see, where each pod gets its own directory");
        }
        if (!workDir.startsWith("/") || !PROGRAM.matcher(workDir).matches() || workDir.contains("/../") || workDir.endsWith("/..")) {
            throw new ConfigException("workDir", "must be an absolute path of letters, digits and ._+-/ (it is written into submit"
                    + " descriptions), was '" + workDir + "'");
        }
        while (workDir.length() > 1 && workDir.endsWith("/")) {
            workDir = workDir.substring(0, workDir.length() - 1);
        }
        universe = universe == null ? "vanilla" : universe.toLowerCase(Locale.ROOT);
        if (!UNIVERSES.contains(universe)) {
            throw new ConfigException("universe", "must be one of " + String.join(", ", UNIVERSES) + ", was '" + universe + "'");
        }
        if (schedd != null && !schedd.matches("[A-Za-z0-9@._:-]+")) {
            throw new ConfigException("schedd", "must be a schedd name such as schedd@host.example.org, was '" + schedd + "'");
        }
        if (collector != null && !collector.matches("[A-Za-z0-9._:\\[\\]-]+")) {
            throw new ConfigException("collector", "must be a host[:port], was '" + collector + "'");
        }
        pools = pools == null || pools.isEmpty() ? List.of(new Pool("default", null)) : List.copyOf(pools);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pools.size(); i++) {
            if (!names.add(pools.get(i).name())) {
                throw new ConfigException("pools[" + i + "].name", "'" + pools.get(i).name() + "' is used twice");
            }
        }
        allowedSubmitCommands = allowedSubmitCommands == null ? DEFAULT_ALLOWED_SUBMIT_COMMANDS : List.copyOf(allowedSubmitCommands);
        for (int i = 0; i < allowedSubmitCommands.size(); i++) {
            String command = allowedSubmitCommands.get(i);
            if (!COMMAND_NAME.matcher(command).matches()) {
                throw new ConfigException("allowedSubmitCommands[" + i + "]", "must be a submit command such as request_disk or"
                        + " +ProjectName, was '" + command + "'");
            }
            if (isReserved(command)) {
                throw new ConfigException("allowedSubmitCommands[" + i + "]", command + " cannot be allowed: Ferry sets it itself,"
                        + " or it would run or read something outside the pod");
            }
        }
        heldTimeout = positive("heldTimeout", heldTimeout, Duration.ofMinutes(30));
        historyLookback = positive("historyLookback", historyLookback, Duration.ofDays(1));
        jobEnvironment = jobEnvironment == null ? Map.of() : Map.copyOf(jobEnvironment);
        jobEnvironment.forEach((name, value) -> {
            if (!ENV_NAME.matcher(name).matches()) {
                throw new ConfigException("jobEnvironment." + name, "is not a variable name (letters, digits and '_')");
            }
            if (value.contains("\n") || value.contains("\r") || value.contains("\0") || value.contains("$$(")) {
                throw new ConfigException("jobEnvironment." + name, "must not contain line breaks, NUL or '$$('");
            }
        });
        commands = commands == null ? new Commands(null, null, null, null, null) : commands;
    }

    /** Settings for tests and tools: a work directory, everything else default. */
    public static HtcondorSettings of(String workDir) {
        return new HtcondorSettings(workDir, null, null, null, null, null, null, null, null, null, null);
    }

    public HtcondorSettings withChroot(Chroot chroot) {
        return new HtcondorSettings(workDir, universe, chroot, schedd, collector, pools, allowedSubmitCommands, heldTimeout,
                historyLookback, jobEnvironment, commands);
    }

    public HtcondorSettings withUniverse(String universe) {
        return new HtcondorSettings(workDir, universe, chroot, schedd, collector, pools, allowedSubmitCommands, heldTimeout,
                historyLookback, jobEnvironment, commands);
    }

    public HtcondorSettings withHeldTimeout(Duration heldTimeout) {
        return new HtcondorSettings(workDir, universe, chroot, schedd, collector, pools, allowedSubmitCommands, heldTimeout,
                historyLookback, jobEnvironment, commands);
    }

    public HtcondorSettings withPools(List<Pool> pools) {
        return new HtcondorSettings(workDir, universe, chroot, schedd, collector, pools, allowedSubmitCommands, heldTimeout,
                historyLookback, jobEnvironment, commands);
    }

    public HtcondorSettings withAllowedSubmitCommands(List<String> allowed) {
        return new HtcondorSettings(workDir, universe, chroot, schedd, collector, pools, allowed, heldTimeout,
                historyLookback, jobEnvironment, commands);
    }

    public HtcondorSettings withJobEnvironment(Map<String, String> environment) {
        return new HtcondorSettings(workDir, universe, chroot, schedd, collector, pools, allowedSubmitCommands, heldTimeout,
                historyLookback, environment, commands);
    }

    /** The pool named {@code name}, if configured. */
    public java.util.Optional<Pool> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The options that select the schedd ({@code -name}, {@code -pool}), for every tool that talks to it. */
    public List<String> scheddOptions() {
        List<String> options = new java.util.ArrayList<>();
        if (collector != null) {
            options.add("-pool");
            options.add(collector);
        }
        if (schedd != null) {
            options.add("-name");
            options.add(schedd);
        }
        return List.copyOf(options);
    }

    /**
     * A pool: the slots that match {@code constraint}.
     *
     * @param name       the pool's name (advertised as {@code <site>/<name>})
     * @param constraint a ClassAd expression over slot attributes; empty for every slot. Trusted (the site writes it):
     *                   it goes verbatim into {@code condor_status -constraint} and the job's {@code requirements}
     */
    public record Pool(String name, String constraint) {
        public Pool {
            if (name == null || !JobIdentity.isSafe(name)) {
                throw new ConfigException("name", "must be letters, digits, '.', '_' and '-', was '" + name + "'");
            }
            constraint = constraint == null ? "" : constraint.strip();
            if (constraint.contains("\n") || constraint.contains("\r") || constraint.contains("$")) {
                throw new ConfigException("constraint", "must be one line without '$' (a ClassAd expression such as TotalSlotGPUs > 0)");
            }
        }
    }

    /**
     * Run HTCondor's tools inside a chroot: {@code chroot --userspec=UID:GID DIR env HOME=... PROGRAM ...}. The executor
     * must run as root; pod directories are written to {@code DIR + workDir} and handed to the user.
     *
     * @param dir  the root of the tree
     * @param user the user (a name from the tree's {@code /etc/passwd}) that submits and owns the jobs
     */
    public record Chroot(String dir, String user) {
        public Chroot {
            if (dir == null || !dir.startsWith("/") || !PROGRAM.matcher(dir).matches()) {
                throw new ConfigException("dir", "must be an absolute path of letters, digits and ._+-/, was '" + dir + "'");
            }
            if (user == null || !user.matches("[a-z_][a-z0-9_-]*")) {
                throw new ConfigException("user", "must be a user name such as ferry, was '" + user + "'");
            }
            if (user.equals("root")) {
                throw new ConfigException("user", "must not be root: jobs run as the user that submits them");
            }
        }
    }

    /** Paths of HTCondor's programs; each defaults to its name, found on PATH. */
    public record Commands(String condorSubmit, String condorQ, String condorHistory, String condorRm, String condorStatus) {
        public Commands {
            condorSubmit = program("condorSubmit", condorSubmit, "condor_submit");
            condorQ = program("condorQ", condorQ, "condor_q");
            condorHistory = program("condorHistory", condorHistory, "condor_history");
            condorRm = program("condorRm", condorRm, "condor_rm");
            condorStatus = program("condorStatus", condorStatus, "condor_status");
        }

        private static String program(String key, String value, String defaultValue) {
            if (value == null) {
                return defaultValue;
            }
            if (!PROGRAM.matcher(value).matches()) {
                throw new ConfigException(key, "must be a program name or path of letters, digits and ._+-/, was '" + value + "'");
            }
            return value;
        }
    }

    private static Duration positive(String key, Duration value, Duration defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        if (value.isZero() || value.isNegative()) {
            throw new ConfigException(key, "must be positive, was " + value);
        }
        return value;
    }
}
