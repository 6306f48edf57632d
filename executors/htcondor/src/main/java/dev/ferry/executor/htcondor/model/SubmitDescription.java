package dev.ferry.executor.htcondor.model;

import dev.ferry.executor.htcondor.HtcondorSettings;
import dev.ferry.executor.model.Printable;
import dev.ferry.executor.model.Quantities;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.ContainerSpec;
import dev.ferry.executor.spi.PodJob.EnvEntry;
import dev.ferry.executor.spi.PodJob.VolumeSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pod as an HTCondor job: the submit description and the files of the pod's directory. A pure
 * function of the pod, its identity and the site's settings.
 *
 * <p>Two ways to run, chosen per pod:
 * <ul>
 *   <li><b>Direct</b> (a pod with one container, no init containers, no Secret env, and only values a
 *       submit description can carry, see {@link SubmitQuoting#unsupported}): {@code executable} is the
 *       command (a bare name goes through {@code /usr/bin/env}, which finds it on the job's PATH),
 *       {@code arguments} and {@code environment} carry the rest in HTCondor's quoting, and
 *       {@code output}/{@code error} are the container's log files. {@code condor_q -l} shows the real
 *       command, and this is the only way the container universe runs.</li>
 *   <li><b>Launcher</b> (everything else, vanilla universe only): the executable is Ferry's launcher
 *       script ({@code ferry-launch}, the same for every pod), which reads each container's command,
 *       arguments and environment from NUL-separated files in the pod directory and runs init
 *       containers in order, then the containers side by side, like the Slurm backend's batch
 *       script. Secret values are only in those files (0600), never in the job's ClassAd, which any
 *       user of the pool can read.</li>
 * </ul>
 *
 * <p>Pod directory ({@code <workDir>/<uid>-<attempt>}): {@code job.sub}, {@code job.log} (HTCondor's event log of
 * the job), {@code logs/NAME.stdout},
 * {@code logs/NAME.stderr}, {@code work/} (the job's working directory unless the container sets
 * one), {@code volumes/VOLUME/...} (ConfigMap, Secret, projected and downward-API files, 0600), and
 * for the launcher {@code ferry-launch}, {@code spec/} and {@code state/}. Files the job reads or
 * writes belong to the job's user ({@link Owner#JOB}); the directories around them belong to the
 * executor, so a job cannot swap them for links that the executor would follow.
 */
public final class SubmitDescription {

    /** How the job runs the pod. */
    public enum Mode {
        DIRECT,
        LAUNCHER
    }

    /** Who owns a path of the pod directory. */
    public enum Owner {
        /** The executor: directories and files the job must not replace. */
        EXECUTOR,
        /** The job's user: what the job reads privately or writes. */
        JOB
    }

    /** A file or directory of the pod directory, relative to it, with its permission bits and owner. */
    public record PodPath(String path, boolean directory, byte[] content, int mode, Owner owner) {
        public PodPath {
            Objects.requireNonNull(path, "path");
            content = content == null ? new byte[0] : content.clone();
            Objects.requireNonNull(owner, "owner");
        }

        static PodPath dir(String path, int mode, Owner owner) {
            return new PodPath(path, true, null, mode, owner);
        }

        static PodPath file(String path, byte[] content, int mode, Owner owner) {
            return new PodPath(path, false, content, mode, owner);
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public String toString() {
            return "PodPath[" + path + (directory ? "/" : ", " + content.length + " bytes") + ", " + Integer.toOctalString(mode) + ", "
                    + owner + "]";
        }
    }

    /**
     * What to write and submit.
     *
     * @param mode           direct or launcher
     * @param text           the submit description ({@code job.sub})
     * @param paths          the pod directory's contents, parents before children
     * @param initContainers the init containers' names, in order
     * @param containers     the containers' names
     * @param launcherBecause why the pod needs the launcher (empty in direct mode)
     */
    public record SubmitJob(Mode mode, String text, List<PodPath> paths, List<String> initContainers, List<String> containers,
                            List<String> launcherBecause) {
        public SubmitJob {
            paths = List.copyOf(paths);
            initContainers = List.copyOf(initContainers);
            containers = List.copyOf(containers);
            launcherBecause = List.copyOf(launcherBecause);
        }
    }

    /** The launcher's file name in the pod directory. */
    public static final String LAUNCHER = "ferry-launch";
    /** The launcher's own output, beside the containers' (a dot keeps it apart from any container name). */
    public static final String LAUNCHER_OUTPUT = "logs/.launcher";

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern ABSOLUTE_PROGRAM = Pattern.compile("/[A-Za-z0-9_./+-]*");
    private static final Pattern BARE_PROGRAM = Pattern.compile("[A-Za-z0-9_.+][A-Za-z0-9_.+-]*");
    private static final Pattern PLAIN_PATH = Pattern.compile("/[A-Za-z0-9_./+-]*");
    private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]*");
    private static final String ENV_PROGRAM = "/usr/bin/env";
    private static final byte[] LAUNCHER_SCRIPT = resource("/dev/ferry/executor/htcondor/ferry-launch.sh");

    private SubmitDescription() {
    }

    /** The pod's directory under the site's work directory. */
    public static String podDirectory(HtcondorSettings settings, JobIdentity id) {
        return settings.workDir() + "/" + id.podUid() + "-" + id.attempt();
    }

    /** The launcher script (the same for every pod). */
    public static String launcherScript() {
        return new String(LAUNCHER_SCRIPT, StandardCharsets.UTF_8);
    }

    /**
     * The job for {@code pod}.
     *
     * @throws BackendException {@code REJECTED} naming what the pod must change
     */
    public static SubmitJob render(JobIdentity id, PodJob pod, HtcondorSettings settings) throws BackendException {
        boolean container = settings.universe().equals("container");
        validate(pod, container);
        String podDir = podDirectory(settings, id);
        List<String> launcherBecause = launcherReasons(pod, container);
        Mode mode = launcherBecause.isEmpty() ? Mode.DIRECT : Mode.LAUNCHER;
        if (container && mode == Mode.LAUNCHER) {
            throw BackendException.rejected("UnsupportedPod", "this site runs pods in HTCondor's container universe, which runs one"
                    + " container's command directly, but this pod " + String.join(", and ", launcherBecause));
        }
        List<SubmitAnnotation.Command> extra = SubmitAnnotation.parse(pod.annotations().get(HtcondorSettings.ANNOTATION),
                settings.allowedSubmitCommands());
        HtcondorSettings.Pool pool = settings.pool(id.pool()).orElseThrow(() -> BackendException.rejected("UnknownPool",
                "pool '" + id.pool() + "' is not one of this site's HTCondor pools (" + String.join(", ",
                        settings.pools().stream().map(HtcondorSettings.Pool::name).toList()) + ")"));

        List<PodPath> paths = new ArrayList<>();
        paths.add(PodPath.dir("logs", 0750, Owner.EXECUTOR));
        paths.add(PodPath.dir("work", 0700, Owner.JOB));
        for (ContainerSpec c : pod.allContainers()) {
            paths.add(PodPath.file("logs/" + c.name() + ".stdout", null, 0600, Owner.JOB));
            paths.add(PodPath.file("logs/" + c.name() + ".stderr", null, 0600, Owner.JOB));
        }
        volumes(pod, paths);

        StringBuilder s = new StringBuilder();
        s.append("# generated by Ferry for pod ").append(id.podDisplayName()).append(" (uid ").append(id.podUid()).append("), attempt ")
                .append(id.attempt()).append(", site ").append(id.site()).append('\n');
        for (SubmitAnnotation.Command command : extra) {
            if (!command.name().equalsIgnoreCase("requirements")) {
                s.append(command.name()).append(" = ").append(command.value()).append('\n');
            }
        }
        s.append("universe = ").append(settings.universe()).append('\n');
        Map<String, String> environment = new LinkedHashMap<>(settings.jobEnvironment());
        environment.put("FERRY_POD_DIR", podDir);
        if (mode == Mode.DIRECT) {
            ContainerSpec c = pod.containers().get(0);
            if (container) {
                s.append("container_image = ").append(image(c.image())).append('\n');
            }
            List<String> words = new ArrayList<>(c.command());
            words.addAll(c.args());
            if (!c.command().isEmpty()) {
                String program = c.command().get(0);
                if (ABSOLUTE_PROGRAM.matcher(program).matches()) {
                    s.append("executable = ").append(program).append('\n');
                    words.remove(0);
                } else {
                    s.append("executable = ").append(ENV_PROGRAM).append('\n');
                }
            }
            if (!words.isEmpty()) {
                s.append("arguments = ").append(SubmitQuoting.arguments(words)).append('\n');
            }
            for (EnvEntry e : c.env()) {
                environment.remove(e.name());
                environment.put(e.name(), e.value());
            }
            s.append("environment = ").append(SubmitQuoting.environment(environment)).append('\n');
            if (!container) {
                s.append("initialdir = ").append(c.workingDir().orElse(podDir + "/work")).append('\n');
            }
            s.append("output = ").append(podDir).append("/logs/").append(c.name()).append(".stdout\n");
            s.append("error = ").append(podDir).append("/logs/").append(c.name()).append(".stderr\n");
        } else {
            launcherFiles(pod, paths);
            s.append("executable = ").append(podDir).append('/').append(LAUNCHER).append('\n');
            s.append("environment = ").append(SubmitQuoting.environment(environment)).append('\n');
            s.append("initialdir = ").append(podDir).append("/work\n");
            s.append("output = ").append(podDir).append('/').append(LAUNCHER_OUTPUT).append(".stdout\n");
            s.append("error = ").append(podDir).append('/').append(LAUNCHER_OUTPUT).append(".stderr\n");
            paths.add(PodPath.file(LAUNCHER_OUTPUT + ".stdout", null, 0600, Owner.JOB));
            paths.add(PodPath.file(LAUNCHER_OUTPUT + ".stderr", null, 0600, Owner.JOB));
            s.append('+').append(JobAttributes.LAUNCHER).append(" = true\n");
        }
        // the job's event log (submit, execute, hold, terminate), for people; the executor asks the schedd instead
        s.append("log = ").append(podDir).append("/job.log\n");
        paths.add(PodPath.file("job.log", null, 0600, Owner.JOB));
        s.append("transfer_executable = false\n");
        if (container) {
            s.append("should_transfer_files = YES\n");
            s.append("when_to_transfer_output = ON_EXIT_OR_EVICT\n");
        } else {
            s.append("should_transfer_files = NO\n");
        }
        s.append("getenv = false\n");
        s.append("notification = never\n");
        resources(pod, s);
        requirements(pool, extra, s);
        if (pod.activeDeadline().isPresent()) {
            long seconds = pod.activeDeadline().get().toSeconds();
            if (seconds <= 0) {
                throw BackendException.rejected("InvalidPod", "activeDeadlineSeconds must be positive");
            }
            s.append('+').append(JobAttributes.DEADLINE).append(" = ").append(seconds).append('\n');
            s.append("periodic_remove = (JobStatus == 2) && (time() - JobCurrentStartExecutingDate > ").append(JobAttributes.DEADLINE)
                    .append(")\n");
        }
        s.append("batch_name = ").append(id.namespace()).append('/').append(id.podName()).append('\n');
        s.append('+').append(JobAttributes.SITE).append(" = ").append(SubmitQuoting.classAdString(id.site())).append('\n');
        s.append('+').append(JobAttributes.POD_UID).append(" = ").append(SubmitQuoting.classAdString(id.podUid())).append('\n');
        s.append('+').append(JobAttributes.NAMESPACE).append(" = ").append(SubmitQuoting.classAdString(id.namespace())).append('\n');
        s.append('+').append(JobAttributes.POD_NAME).append(" = ").append(SubmitQuoting.classAdString(id.podName())).append('\n');
        s.append('+').append(JobAttributes.ATTEMPT).append(" = ").append(id.attempt()).append('\n');
        s.append('+').append(JobAttributes.POOL).append(" = ").append(SubmitQuoting.classAdString(id.pool())).append('\n');
        s.append('+').append(JobAttributes.CONTAINERS).append(" = ").append(SubmitQuoting.classAdString(String.join(",",
                pod.containers().stream().map(ContainerSpec::name).toList()))).append('\n');
        if (!pod.initContainers().isEmpty()) {
            s.append('+').append(JobAttributes.INIT_CONTAINERS).append(" = ").append(SubmitQuoting.classAdString(String.join(",",
                    pod.initContainers().stream().map(ContainerSpec::name).toList()))).append('\n');
        }
        s.append("queue\n");
        paths.add(PodPath.file("job.sub", s.toString().getBytes(StandardCharsets.UTF_8), 0640, Owner.EXECUTOR));
        return new SubmitJob(mode, s.toString(), paths, pod.initContainers().stream().map(ContainerSpec::name).toList(),
                pod.containers().stream().map(ContainerSpec::name).toList(), launcherBecause);
    }

    // ------------------------------------------------------------------------------------------ direct or launcher

    private static List<String> launcherReasons(PodJob pod, boolean container) {
        List<String> reasons = new ArrayList<>();
        if (!pod.initContainers().isEmpty()) {
            reasons.add("has init containers");
        }
        if (pod.containers().size() != 1) {
            reasons.add("has " + pod.containers().size() + " containers");
        }
        for (ContainerSpec c : pod.allContainers()) {
            String what = "container " + c.name();
            if (c.env().stream().anyMatch(EnvEntry::secret)) {
                reasons.add("passes Secret values in the environment of " + what + " (they must not be in the job's ClassAd)");
            }
            if (!c.command().isEmpty()) {
                String program = c.command().get(0);
                if (!ABSOLUTE_PROGRAM.matcher(program).matches() && !BARE_PROGRAM.matcher(program).matches()) {
                    reasons.add("has a command '" + Printable.of(program) + "' that is neither an absolute path nor a plain program name");
                }
            }
            for (String w : concat(c.command(), c.args())) {
                SubmitQuoting.unsupported(w).ifPresent(r -> reasons.add("has an argument of " + what + " that " + r));
            }
            for (EnvEntry e : c.env()) {
                if (!e.secret()) {
                    SubmitQuoting.unsupported(e.value()).ifPresent(r -> reasons.add("has env " + e.name() + " of " + what + " that " + r));
                }
            }
            if (c.workingDir().isPresent() && (container || !PLAIN_PATH.matcher(c.workingDir().get()).matches())) {
                reasons.add(container ? "sets a workingDir, which the container universe cannot honour"
                        : "has a workingDir with characters other than letters, digits and ._+-/");
            }
        }
        return reasons.stream().distinct().toList();
    }

    private static void launcherFiles(PodJob pod, List<PodPath> paths) {
        paths.add(PodPath.file(LAUNCHER, LAUNCHER_SCRIPT, 0755, Owner.EXECUTOR));
        paths.add(PodPath.dir("spec", 0750, Owner.EXECUTOR));
        paths.add(PodPath.dir("state", 0700, Owner.JOB));
        StringBuilder names = new StringBuilder();
        pod.initContainers().forEach(c -> names.append("init ").append(c.name()).append('\n'));
        pod.containers().forEach(c -> names.append("main ").append(c.name()).append('\n'));
        paths.add(PodPath.file("spec/containers", names.toString().getBytes(StandardCharsets.UTF_8), 0600, Owner.JOB));
        for (ContainerSpec c : pod.allContainers()) {
            paths.add(PodPath.file("spec/" + c.name() + ".argv", nulTerminated(concat(c.command(), c.args())), 0600, Owner.JOB));
            List<String> env = c.env().stream().map(e -> e.name() + "=" + e.value()).toList();
            paths.add(PodPath.file("spec/" + c.name() + ".env", nulTerminated(env), 0600, Owner.JOB));
            c.workingDir().ifPresent(wd -> paths.add(PodPath.file("spec/" + c.name() + ".workdir", nulTerminated(List.of(wd)), 0600,
                    Owner.JOB)));
        }
    }

    private static byte[] nulTerminated(List<String> words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String w : words) {
            out.writeBytes(w.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------------ volumes

    private static void volumes(PodJob pod, List<PodPath> paths) {
        if (pod.volumes().isEmpty()) {
            return;
        }
        paths.add(PodPath.dir("volumes", 0750, Owner.EXECUTOR));
        for (VolumeSpec v : pod.volumes()) {
            paths.add(PodPath.dir("volumes/" + v.name(), 0700, Owner.JOB));
            Set<String> dirs = new HashSet<>();
            for (PodJob.FileSpec f : v.files()) {
                String path = "volumes/" + v.name() + "/" + f.path();
                String parent = path.substring(0, path.lastIndexOf('/'));
                List<String> missing = new ArrayList<>();
                while (parent.length() > ("volumes/" + v.name()).length() && dirs.add(parent)) {
                    missing.add(0, parent);
                    parent = parent.substring(0, parent.lastIndexOf('/'));
                }
                missing.forEach(d -> paths.add(PodPath.dir(d, 0700, Owner.JOB)));
                paths.add(PodPath.file(path, f.content(), 0600, Owner.JOB));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ resources

    private static void resources(PodJob pod, StringBuilder s) throws BackendException {
        long milliCpu = pod.effective("cpu", Quantities::milliCpu);
        long memBytes = pod.effective("memory", Quantities::bytes);
        long gpus = pod.effectiveGpus(Quantities::count);
        if (milliCpu > 0) {
            s.append("request_cpus = ").append(Math.max(1, (milliCpu + 999) / 1000)).append('\n');
        }
        if (memBytes > 0) {
            s.append("request_memory = ").append(Math.max(1, (memBytes + (1 << 20) - 1) >> 20)).append('\n');
        }
        if (gpus > 0) {
            s.append("request_gpus = ").append(gpus).append('\n');
        }
    }

    private static void requirements(HtcondorSettings.Pool pool, List<SubmitAnnotation.Command> extra, StringBuilder s) {
        List<String> parts = new ArrayList<>();
        if (!pool.constraint().isEmpty()) {
            parts.add("(" + pool.constraint() + ")");
        }
        extra.stream().filter(c -> c.name().equalsIgnoreCase("requirements")).forEach(c -> parts.add("(" + c.value() + ")"));
        if (!parts.isEmpty()) {
            s.append("requirements = ").append(String.join(" && ", parts)).append('\n');
        }
    }

    // ------------------------------------------------------------------------------------------ validation

    private static void validate(PodJob pod, boolean container) throws BackendException {
        if (pod.containers().isEmpty()) {
            throw BackendException.rejected("InvalidPod", "the pod has no containers");
        }
        for (ContainerSpec c : pod.allContainers()) {
            if (c.command().isEmpty() && !container) {
                throw BackendException.rejected("InvalidPod", "container " + Printable.of(c.name()) + " has no command: this site runs pods"
                        + " in HTCondor's vanilla universe, which runs the command directly and cannot know the image's entrypoint"
                        + " (set command)");
            }
        }
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
                            + ": the HTCondor backend passes only names of letters, digits and '_' (not starting with a digit)");
                }
                if (e.value().indexOf('\0') >= 0) {
                    throw BackendException.rejected("InvalidEnv", "env " + e.name() + " of container " + c.name()
                            + " contains a NUL character, which no environment can hold");
                }
            }
            for (String w : concat(c.command(), c.args())) {
                if (w.indexOf('\0') >= 0) {
                    throw BackendException.rejected("InvalidPod", "an argument of container " + c.name()
                            + " contains a NUL character, which no program argument can hold");
                }
            }
            if (c.workingDir().isPresent() && (!c.workingDir().get().startsWith("/") || c.workingDir().get().indexOf('\0') >= 0)) {
                throw BackendException.rejected("InvalidPod", "workingDir of container " + c.name() + " must be an absolute path");
            }
        }
        Set<String> volumeNames = new HashSet<>();
        for (VolumeSpec v : pod.volumes()) {
            if (!DNS_LABEL.matcher(v.name()).matches()) {
                throw BackendException.rejected("InvalidPod", "volume name '" + Printable.of(v.name()) + "' must be a DNS label");
            }
            if (!volumeNames.add(v.name())) {
                throw BackendException.rejected("InvalidPod", "volume name '" + v.name() + "' is used twice");
            }
            if (v.kind() == PodJob.VolumeKind.HOST_PATH || v.kind() == PodJob.VolumeKind.UNSUPPORTED) {
                throw BackendException.rejected("UnsupportedVolume", "volume " + v.name() + " is "
                        + (v.kind() == PodJob.VolumeKind.HOST_PATH ? "a hostPath" : "of a kind")
                        + " the HTCondor backend cannot provide (emptyDir, configMap, secret, projected and downwardAPI work)");
            }
            for (PodJob.FileSpec f : v.files()) {
                if (!safeRelative(f.path())) {
                    throw BackendException.rejected("InvalidPod", "file '" + Printable.of(f.path()) + "' of volume " + v.name()
                            + " must be a relative path without '..'");
                }
            }
        }
        for (ContainerSpec c : pod.allContainers()) {
            for (PodJob.MountSpec m : c.mounts()) {
                if (!volumeNames.contains(m.volume())) {
                    throw BackendException.rejected("InvalidPod", "container " + c.name() + " mounts volume '" + Printable.of(m.volume())
                            + "', which the pod does not have");
                }
            }
        }
    }

    /** The {@code container_image} value: a registry image as {@code docker://...}, a path or URL as it is. */
    private static String image(String image) throws BackendException {
        if (image.isBlank() || !IMAGE.matcher(image).matches()) {
            throw BackendException.rejected("InvalidPod", "image '" + Printable.of(image) + "' is not an image reference HTCondor accepts");
        }
        if (image.startsWith("/") || image.contains("://") || image.endsWith(".sif")) {
            return image;
        }
        return "docker://" + image;
    }

    private static boolean safeRelative(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\0") || path.contains("\n")) {
            return false;
        }
        for (String part : path.split("/")) {
            if (part.equals("..") || part.equals(".") || part.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }


    private static byte[] resource(String name) {
        try (InputStream in = SubmitDescription.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
