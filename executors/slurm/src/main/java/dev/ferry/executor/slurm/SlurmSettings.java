package dev.ferry.executor.slurm;

import dev.ferry.schema.ConfigException;
import java.util.List;
import java.util.Locale;

/**
 * The Slurm backend's section of {@code site.yaml} ({@code backend.slurm}).
 *
 * @param workDir        where each pod gets its directory ({@code <workDir>/<pod-uid>-<attempt>}: script,
 *                       volumes, per-container output); must be visible from the compute nodes (required)
 * @param runtime        how containers run: {@code apptainer} (default), {@code singularity}, {@code podman},
 *                       or {@code host} (the command directly, no image)
 * @param runtimeOptions extra options for every container run, e.g. {@code [--contain]}
 * @param allowedFlags   {@code slurm-job.vk.io/flags} a pod may use (long names; a trailing {@code *} matches a
 *                       prefix); default {@link #DEFAULT_ALLOWED_FLAGS}
 * @param allowPreExec   whether {@code slurm-job.vk.io/pre-exec} (shell code run in the job before the
 *                       containers) is honoured; default false: a pod using it fails with a reason that says so
 * @param allowHostPath  whether hostPath volumes are bound into containers; default false
 * @param partitions     which partitions to advertise as pools; default all that {@code sinfo} shows
 * @param gpuGres        the GRES name of GPUs; default {@code gpu}
 * @param commands       where Slurm's programs are (default: on PATH)
 */
public record SlurmSettings(
        String workDir,
        String runtime,
        List<String> runtimeOptions,
        List<String> allowedFlags,
        Boolean allowPreExec,
        Boolean allowHostPath,
        List<String> partitions,
        String gpuGres,
        Commands commands) {

    /** The flags a pod may pass through {@code slurm-job.vk.io/flags} unless the site says otherwise. */
    public static final List<String> DEFAULT_ALLOWED_FLAGS = List.of("--gres", "--gpus", "--gpus-per-node", "--gpus-per-task",
            "--time", "--mem", "--mem-per-cpu", "--mem-per-gpu", "--cpus-per-task", "--cpus-per-gpu", "--nodes", "--ntasks*",
            "--partition", "--account", "--qos", "--constraint", "--job-name", "--mail-*", "--exclusive", "--hint");

    /** The container runtimes a site can choose. */
    public static final List<String> RUNTIMES = List.of("apptainer", "singularity", "podman", "host");

    public SlurmSettings {
        if (workDir == null || workDir.isBlank()) {
            throw new ConfigException("workDir", "is required: a directory visible from the compute nodes where each pod gets its own directory");
        }
        if (!workDir.startsWith("/")) {
            throw new ConfigException("workDir", "must be an absolute path, was '" + workDir + "'");
        }
        runtime = runtime == null ? "apptainer" : runtime.toLowerCase(Locale.ROOT);
        if (!RUNTIMES.contains(runtime)) {
            throw new ConfigException("runtime", "must be one of " + String.join(", ", RUNTIMES) + ", was '" + runtime + "'");
        }
        runtimeOptions = runtimeOptions == null ? List.of() : List.copyOf(runtimeOptions);
        allowedFlags = allowedFlags == null ? DEFAULT_ALLOWED_FLAGS : List.copyOf(allowedFlags);
        for (int i = 0; i < allowedFlags.size(); i++) {
            String flag = allowedFlags.get(i);
            if (!flag.matches("--[a-z][a-z0-9-]*\\*?")) {
                throw new ConfigException("allowedFlags[" + i + "]", "must be a long sbatch option such as --gres or --mail-*, was '" + flag + "'");
            }
            if (flag.equals("--wrap") || flag.startsWith("--output") || flag.startsWith("--error") || flag.equals("--chdir")
                    || flag.equals("--comment") || flag.equals("--export")) {
                throw new ConfigException("allowedFlags[" + i + "]", flag + " cannot be allowed: Ferry sets it itself (or it would run a command outside the pod)");
            }
        }
        allowPreExec = allowPreExec != null && allowPreExec;
        allowHostPath = allowHostPath != null && allowHostPath;
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
        gpuGres = gpuGres == null ? "gpu" : gpuGres;
        if (!gpuGres.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException("gpuGres", "must be a GRES name such as gpu, was '" + gpuGres + "'");
        }
        commands = commands == null ? new Commands(null, null, null, null, null, null) : commands;
    }

    /** Settings for tests and tools: a work directory and a runtime, everything else default. */
    public static SlurmSettings of(String workDir, String runtime) {
        return new SlurmSettings(workDir, runtime, null, null, null, null, null, null, null);
    }

    public SlurmSettings withAllowPreExec(boolean allow) {
        return new SlurmSettings(workDir, runtime, runtimeOptions, allowedFlags, allow, allowHostPath, partitions, gpuGres, commands);
    }

    /** Paths of Slurm's programs; each defaults to its name, found on PATH. */
    public record Commands(String sbatch, String squeue, String scontrol, String sacct, String scancel, String sinfo) {
        public Commands {
            sbatch = sbatch == null ? "sbatch" : sbatch;
            squeue = squeue == null ? "squeue" : squeue;
            scontrol = scontrol == null ? "scontrol" : scontrol;
            sacct = sacct == null ? "sacct" : sacct;
            scancel = scancel == null ? "scancel" : scancel;
            sinfo = sinfo == null ? "sinfo" : sinfo;
        }
    }
}
