package dev.ferry.executor.slurm.model;

import dev.ferry.executor.model.Printable;
import dev.ferry.executor.model.Quantities;
import dev.ferry.executor.model.Shell;
import dev.ferry.executor.slurm.SlurmSettings;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.ContainerSpec;
import dev.ferry.executor.spi.PodJob.EnvEntry;
import dev.ferry.executor.spi.PodJob.MountSpec;
import dev.ferry.executor.spi.PodJob.VolumeSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pod as a Slurm batch job: the {@code sbatch} options, the batch script and the files of the
 * pod's directory. A pure function of the pod, its identity, the site's settings and the pod
 * directory.
 *
 * <p>Where user-controlled strings go, and why none of them is ever interpreted:
 * <ul>
 *   <li>{@code sbatch} options (resources, {@code slurm-job.vk.io/flags}, job name, comment) are
 *       arguments of the {@code sbatch} command line, which runs without a shell. The script has no
 *       {@code #SBATCH} lines, and its second line is a command, so even a line break inside a
 *       quoted value can never start a directive (sbatch stops reading directives at the first
 *       command).</li>
 *   <li>Commands, arguments, images, working directories, environment values, mount paths and the
 *       runtime options of the annotations are each one single-quoted word ({@link Shell#quote}).</li>
 *   <li>Secret environment values are not in the script at all (Slurm keeps a copy of every
 *       script): they are in {@code env/<container>.env}, mode 0600, sourced by the container's
 *       subshell, and quoted the same way.</li>
 *   <li>Names that become file names (containers, volumes) must be Kubernetes DNS labels; paths in
 *       volumes must be relative and may not climb out with {@code ..}; environment names must be
 *       shell identifiers. Anything else is refused with a reason naming it.</li>
 *   <li>{@code slurm-job.vk.io/pre-exec} is shell code by definition; it is refused unless the site
 *       sets {@code allowPreExec}, and then runs inside the job, as the job's user, like the pod's
 *       own command.</li>
 * </ul>
 *
 * <p>Layout of the pod directory: {@code job.sh}, {@code slurm.out} (the batch script's own
 * output), {@code containers} (one line per container: {@code init NAME} or {@code main NAME}),
 * {@code logs/NAME.stdout}, {@code logs/NAME.stderr}, {@code state/NAME.started} (epoch millis),
 * {@code state/NAME.exit} ({@code CODE MILLIS}), {@code volumes/VOLUME/...}, {@code env/NAME.env}.
 * The job exits with the exit code of the first container that failed, or 0.
 */
public final class BatchScript {

    /** interLink's annotations. */
    public static final String PRE_EXEC = "slurm-job.vk.io/pre-exec";
    public static final String SINGULARITY_OPTIONS = "slurm-job.vk.io/singularity-options";
    public static final String SINGULARITY_MOUNTS = "slurm-job.vk.io/singularity-mounts";
    public static final String MPI_FLAGS = "slurm-job.vk.io/mpi-flags";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private BatchScript() {
    }

    /** What to write and submit. */
    public record BatchJob(List<String> sbatchOptions, String script, List<PodFile> files, List<String> directories) {
        public BatchJob {
            sbatchOptions = List.copyOf(sbatchOptions);
            Objects.requireNonNull(script, "script");
            files = List.copyOf(files);
            directories = List.copyOf(directories);
        }
    }

    /** A file of the pod directory, relative to it, with its permission bits. */
    public record PodFile(String path, byte[] content, int mode) {
        public PodFile {
            Objects.requireNonNull(path, "path");
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public String toString() {
            return "PodFile[" + path + ", " + content.length + " bytes, " + Integer.toOctalString(mode) + "]";
        }
    }

    /** The pod's directory under the site's work directory. */
    public static String podDirectory(SlurmSettings settings, JobIdentity id) {
        String base = settings.workDir().endsWith("/") ? settings.workDir().substring(0, settings.workDir().length() - 1) : settings.workDir();
        return base + "/" + id.podUid() + "-" + id.attempt();
    }

    /**
     * The batch job for {@code pod}.
     *
     * @throws BackendException {@code REJECTED} naming what the pod must change
     */
    public static BatchJob render(JobIdentity id, PodJob pod, SlurmSettings settings, String podDir) throws BackendException {
        validate(pod, settings);
        List<String> options = new ArrayList<>(resourceOptions(pod, settings));
        options.addAll(SbatchFlags.parse(pod.annotations().get(SbatchFlags.ANNOTATION), settings.allowedFlags()));
        // Ferry's own options come last: on sbatch's command line the last occurrence wins
        options.add("--job-name=" + id.podUid());
        options.add("--comment=" + JobComment.encode(id));
        options.add("--partition=" + id.pool());
        options.add("--output=" + podDir + "/slurm.out");
        options.add("--error=" + podDir + "/slurm.out");
        options.add("--chdir=" + podDir);

        List<PodFile> files = new ArrayList<>();
        List<String> dirs = new ArrayList<>(List.of("logs", "state", "volumes", "env"));
        StringBuilder containers = new StringBuilder();
        pod.initContainers().forEach(c -> containers.append("init ").append(c.name()).append('\n'));
        pod.containers().forEach(c -> containers.append("main ").append(c.name()).append('\n'));
        files.add(new PodFile("containers", containers.toString().getBytes(StandardCharsets.UTF_8), 0600));
        for (VolumeSpec v : pod.volumes()) {
            if (v.kind() == PodJob.VolumeKind.HOST_PATH) {
                continue;
            }
            dirs.add("volumes/" + v.name());
            for (PodJob.FileSpec f : v.files()) {
                String path = "volumes/" + v.name() + "/" + f.path();
                int slash = path.lastIndexOf('/');
                String parent = path.substring(0, slash);
                if (!dirs.contains(parent)) {
                    dirs.add(parent);
                }
                files.add(new PodFile(path, f.content(), 0600));
            }
        }
        for (ContainerSpec c : pod.allContainers()) {
            List<EnvEntry> secrets = c.env().stream().filter(EnvEntry::secret).toList();
            if (!secrets.isEmpty()) {
                StringBuilder env = new StringBuilder();
                for (EnvEntry e : secrets) {
                    env.append("export ").append(e.name()).append('=').append(Shell.quote(e.value())).append('\n');
                }
                files.add(new PodFile("env/" + c.name() + ".env", env.toString().getBytes(StandardCharsets.UTF_8), 0600));
            }
        }
        String script = script(id, pod, settings, podDir);
        return new BatchJob(options, script, files, dirs);
    }

    // ------------------------------------------------------------------------------------------ the script

    private static String script(JobIdentity id, PodJob pod, SlurmSettings settings, String podDir) throws BackendException {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        // a command as the second line: sbatch reads no #SBATCH directive after it
        s.append("set -u\n");
        s.append("# generated by Ferry; every value below is one single-quoted word\n");
        s.append("umask 077\n");
        s.append("FERRY_POD_DIR=").append(Shell.quote(podDir)).append('\n');
        s.append("export FERRY_POD_DIR\n");
        s.append("cd \"$FERRY_POD_DIR\" || exit 120\n");
        s.append("ferry_now() { date +%s%3N; }\n");
        s.append("ferry_begin() { ferry_now > \"$FERRY_POD_DIR/state/$1.started\"; }\n");
        s.append("ferry_end() { printf '%s %s\\n' \"$2\" \"$(ferry_now)\" > \"$FERRY_POD_DIR/state/$1.exit.tmp\""
                + " && mv -f \"$FERRY_POD_DIR/state/$1.exit.tmp\" \"$FERRY_POD_DIR/state/$1.exit\"; }\n");
        String preExec = pod.annotations().get(PRE_EXEC);
        if (preExec != null && !preExec.isBlank()) {
            s.append("# ").append(PRE_EXEC).append(" (allowed by the site)\n");
            s.append("eval ").append(quote(preExec, "annotation " + PRE_EXEC)).append('\n');
        }
        for (ContainerSpec c : pod.initContainers()) {
            String name = Shell.quote(c.name());
            s.append("# init container ").append(c.name()).append('\n');
            s.append("ferry_begin ").append(name).append('\n');
            s.append("(\n").append(body(id, pod, c, settings, podDir)).append(") ")
                    .append(redirects(c.name())).append('\n');
            s.append("ferry_rc=$?\n");
            s.append("ferry_end ").append(name).append(" \"$ferry_rc\"\n");
            s.append("[ \"$ferry_rc\" -eq 0 ] || exit \"$ferry_rc\"\n");
        }
        for (ContainerSpec c : pod.containers()) {
            String name = Shell.quote(c.name());
            s.append("# container ").append(c.name()).append('\n');
            s.append("ferry_begin ").append(name).append('\n');
            s.append("( (\n").append(body(id, pod, c, settings, podDir)).append(") ").append(redirects(c.name()))
                    .append("; ferry_end ").append(name).append(" $? ) &\n");
        }
        s.append("wait\n");
        s.append("ferry_status=0\n");
        s.append("for ferry_c in");
        for (ContainerSpec c : pod.containers()) {
            s.append(' ').append(Shell.quote(c.name()));
        }
        s.append("; do\n");
        s.append("  ferry_rc=1\n");
        s.append("  [ -f \"$FERRY_POD_DIR/state/$ferry_c.exit\" ] && read -r ferry_rc _ < \"$FERRY_POD_DIR/state/$ferry_c.exit\"\n");
        s.append("  if [ \"$ferry_status\" -eq 0 ] && [ \"$ferry_rc\" -ne 0 ]; then ferry_status=$ferry_rc; fi\n");
        s.append("done\n");
        s.append("exit \"$ferry_status\"\n");
        return s.toString();
    }

    private static String redirects(String container) {
        String base = "\"$FERRY_POD_DIR/logs/\"" + Shell.quote(container);
        return ">" + base + "'.stdout' 2>" + base + "'.stderr' </dev/null";
    }

    private static String body(JobIdentity id, PodJob pod, ContainerSpec c, SlurmSettings settings, String podDir) throws BackendException {
        StringBuilder b = new StringBuilder();
        String what = "container " + c.name();
        for (EnvEntry e : c.env()) {
            if (!e.secret()) {
                b.append("  export ").append(e.name()).append('=').append(quote(e.value(), "env " + e.name() + " of " + what)).append('\n');
            }
        }
        if (c.env().stream().anyMatch(EnvEntry::secret)) {
            b.append("  . \"$FERRY_POD_DIR/env/\"").append(Shell.quote(c.name())).append("'.env'\n");
        }
        List<String> words = new ArrayList<>();
        String runtime = settings.runtime();
        switch (runtime) {
            case "host" -> {
                if (c.workingDir().isPresent()) {
                    b.append("  cd -- ").append(quote(c.workingDir().get(), "workingDir of " + what)).append(" || exit 127\n");
                }
                words.addAll(mpi(pod));
                words.addAll(c.command());
                words.addAll(c.args());
                if (c.command().isEmpty() && c.args().isEmpty()) {
                    throw BackendException.rejected("InvalidPod", what + " has no command: the site runs containers with the 'host' runtime,"
                            + " which runs the command directly and cannot know the image's entrypoint");
                }
            }
            case "apptainer", "singularity" -> {
                words.addAll(mpi(pod));
                words.add(runtime);
                words.add(c.command().isEmpty() ? "run" : "exec");
                words.addAll(settings.runtimeOptions());
                words.addAll(annotationWords(pod, SINGULARITY_OPTIONS));
                words.addAll(annotationWords(pod, SINGULARITY_MOUNTS));
                if (gpus(pod) > 0) {
                    words.add("--nv");
                }
                for (MountSpec m : c.mounts()) {
                    words.add("--bind");
                    words.add(mountSource(pod, m, podDir, settings) + ":" + m.mountPath() + (m.readOnly() ? ":ro" : ""));
                }
                c.workingDir().ifPresent(dir -> {
                    words.add("--pwd");
                    words.add(dir);
                });
                words.add(image(c.image()));
                words.addAll(c.command());
                words.addAll(c.args());
            }
            case "podman" -> {
                words.addAll(List.of("podman", "run", "--rm", "--name", "ferry-" + id.podUid() + "-" + id.attempt() + "-" + c.name()));
                words.addAll(settings.runtimeOptions());
                for (EnvEntry e : c.env()) {
                    words.add("--env");
                    words.add(e.name());
                }
                for (MountSpec m : c.mounts()) {
                    words.add("--volume");
                    words.add(mountSource(pod, m, podDir, settings) + ":" + m.mountPath() + (m.readOnly() ? ":ro" : ""));
                }
                c.workingDir().ifPresent(dir -> {
                    words.add("--workdir");
                    words.add(dir);
                });
                if (!c.command().isEmpty()) {
                    words.add("--entrypoint");
                    words.add(c.command().get(0));
                }
                words.add(c.image());
                if (c.command().size() > 1) {
                    words.addAll(c.command().subList(1, c.command().size()));
                }
                words.addAll(c.args());
            }
            default -> throw new IllegalStateException("unknown runtime " + runtime);
        }
        b.append("  exec");
        for (String w : words) {
            b.append(' ').append(quote(w, what));
        }
        b.append('\n');
        return b.toString();
    }

    private static List<String> mpi(PodJob pod) throws BackendException {
        List<String> flags = annotationWords(pod, MPI_FLAGS);
        if (flags.isEmpty() && !pod.annotations().containsKey(MPI_FLAGS)) {
            return List.of();
        }
        List<String> words = new ArrayList<>();
        words.add("mpiexec");
        words.addAll(flags);
        return words;
    }

    private static List<String> annotationWords(PodJob pod, String annotation) throws BackendException {
        String value = pod.annotations().get(annotation);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        Shell.Words words = Shell.words(value);
        if (!words.ok()) {
            throw BackendException.rejected("InvalidAnnotation", "annotation " + annotation + " is malformed: " + words.error().orElseThrow());
        }
        return words.words();
    }

    private static String image(String image) {
        if (image.startsWith("/") || image.contains("://") || image.endsWith(".sif")) {
            return image;
        }
        return "docker://" + image;
    }

    private static String mountSource(PodJob pod, MountSpec m, String podDir, SlurmSettings settings) {
        VolumeSpec v = pod.volumes().stream().filter(x -> x.name().equals(m.volume())).findFirst().orElseThrow();
        String base = v.kind() == PodJob.VolumeKind.HOST_PATH ? v.source().orElseThrow() : podDir + "/volumes/" + v.name();
        return m.subPath().map(sub -> base + "/" + sub).orElse(base);
    }

    private static String quote(String value, String what) throws BackendException {
        try {
            return Shell.quote(value);
        } catch (IllegalArgumentException e) {
            throw BackendException.rejected("InvalidPod", what + " " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------ validation

    private static void validate(PodJob pod, SlurmSettings settings) throws BackendException {
        Set<String> names = new HashSet<>();
        for (ContainerSpec c : pod.allContainers()) {
            if (!DNS_LABEL.matcher(c.name()).matches()) {
                throw BackendException.rejected("InvalidPod", "container name '" + Printable.of(c.name())
                        + "' must be a DNS label (lower-case letters, digits and '-', at most 63)");
            }
            if (!names.add(c.name())) {
                throw BackendException.rejected("InvalidPod", "container name '" + c.name() + "' is used twice");
            }
            for (EnvEntry e : c.env()) {
                if (!ENV_NAME.matcher(e.name()).matches()) {
                    throw BackendException.rejected("InvalidEnv", "env '" + Printable.of(e.name()) + "' of container " + c.name()
                            + ": the Slurm backend passes only names of letters, digits and '_' (not starting with a digit)");
                }
            }
            for (MountSpec m : c.mounts()) {
                Optional<VolumeSpec> v = pod.volumes().stream().filter(x -> x.name().equals(m.volume())).findFirst();
                if (v.isEmpty()) {
                    throw BackendException.rejected("InvalidPod", "container " + c.name() + " mounts volume '" + Printable.of(m.volume())
                            + "', which the pod does not have");
                }
                if (!m.mountPath().startsWith("/") || m.mountPath().contains(":") || m.mountPath().contains(",")) {
                    throw BackendException.rejected("InvalidPod", "mountPath '" + Printable.of(m.mountPath()) + "' of container " + c.name()
                            + " must be an absolute path without ':' or ','");
                }
                if (m.subPath().isPresent() && !safeRelative(m.subPath().get())) {
                    throw BackendException.rejected("InvalidPod", "subPath '" + Printable.of(m.subPath().get()) + "' of container " + c.name()
                            + " must be a relative path without '..' or ':'");
                }
            }
        }
        Set<String> volumes = new HashSet<>();
        for (VolumeSpec v : pod.volumes()) {
            if (!DNS_LABEL.matcher(v.name()).matches()) {
                throw BackendException.rejected("InvalidPod", "volume name '" + Printable.of(v.name()) + "' must be a DNS label");
            }
            if (!volumes.add(v.name())) {
                throw BackendException.rejected("InvalidPod", "volume name '" + v.name() + "' is used twice");
            }
            switch (v.kind()) {
                case UNSUPPORTED -> throw BackendException.rejected("UnsupportedVolume", "volume " + v.name()
                        + " is of a kind the Slurm backend cannot provide (emptyDir, configMap, secret, projected, downwardAPI and,"
                        + " where the site allows it, hostPath work)");
                case HOST_PATH -> {
                    if (!settings.allowHostPath()) {
                        throw BackendException.rejected("UnsupportedVolume", "volume " + v.name()
                                + " is a hostPath, which this site does not allow (backend.slurm.allowHostPath)");
                    }
                    String src = v.source().orElse("");
                    if (!src.startsWith("/") || src.contains(":") || src.contains(",")) {
                        throw BackendException.rejected("InvalidPod", "hostPath of volume " + v.name() + " must be an absolute path without ':' or ','");
                    }
                }
                default -> {
                    for (PodJob.FileSpec f : v.files()) {
                        if (!safeRelative(f.path())) {
                            throw BackendException.rejected("InvalidPod", "file '" + Printable.of(f.path()) + "' of volume " + v.name()
                                    + " must be a relative path without '..'");
                        }
                    }
                }
            }
        }
        String preExec = pod.annotations().get(PRE_EXEC);
        if (preExec != null && !preExec.isBlank() && !settings.allowPreExec()) {
            throw BackendException.rejected("PreExecNotAllowed", "annotation " + PRE_EXEC
                    + " runs shell code in the job, which this site does not allow (backend.slurm.allowPreExec): remove the annotation");
        }
        if (!settings.runtime().equals("host") && pod.allContainers().stream().anyMatch(c -> c.image().isBlank())) {
            throw BackendException.rejected("InvalidPod", "every container needs an image with the " + settings.runtime() + " runtime");
        }
    }

    private static boolean safeRelative(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\0") || path.contains(":") || path.contains("\n")) {
            return false;
        }
        for (String part : path.split("/")) {
            if (part.equals("..") || part.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ resources

    /** {@code --cpus-per-task}, {@code --mem}, {@code --gres=gpu:N}, {@code --time} from the pod. */
    static List<String> resourceOptions(PodJob pod, SlurmSettings settings) throws BackendException {
        List<String> options = new ArrayList<>();
        long milliCpu = pod.effective("cpu", Quantities::milliCpu);
        long memBytes = pod.effective("memory", Quantities::bytes);
        long gpus = gpus(pod);
        if (milliCpu > 0) {
            options.add("--cpus-per-task=" + Math.max(1, (milliCpu + 999) / 1000));
        }
        if (memBytes > 0) {
            options.add("--mem=" + Math.max(1, (memBytes + (1 << 20) - 1) >> 20) + "M");
        }
        if (gpus > 0) {
            options.add("--gres=" + settings.gpuGres() + ":" + gpus);
        }
        if (pod.activeDeadline().isPresent()) {
            long seconds = pod.activeDeadline().get().toSeconds();
            if (seconds <= 0) {
                throw BackendException.rejected("InvalidPod", "activeDeadlineSeconds must be positive");
            }
            options.add("--time=" + Math.max(1, (seconds + 59) / 60));
        }
        return options;
    }

    static long gpus(PodJob pod) throws BackendException {
        return pod.effectiveGpus(Quantities::count);
    }
}
