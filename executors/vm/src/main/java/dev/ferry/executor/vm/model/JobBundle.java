package dev.ferry.executor.vm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.executor.model.Printable;
import dev.ferry.executor.model.Quantities;
import dev.ferry.executor.model.Shell;
import dev.ferry.executor.spi.BackendException;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.ContainerSpec;
import dev.ferry.executor.spi.PodJob.EnvEntry;
import dev.ferry.executor.spi.PodJob.MountSpec;
import dev.ferry.executor.spi.PodJob.VolumeSpec;
import dev.ferry.executor.vm.VmSettings.PoolSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pod as a detached job on a VM: the files of its directory (see {@link JobLayout}) and the
 * wrapper script {@code run.sh} that runs its containers. A pure function of the pod, its
 * identity, the pool's settings and the host it goes to.
 *
 * <p>The wrapper is POSIX {@code sh} (dash, bash, busybox). It is started as the leader of its own
 * session ({@code setsid}), so it survives the SSH session and one signal to its process group
 * reaches everything the pod runs. It records its PID and the process's start time (so a reused
 * PID is never mistaken for it), runs the init containers one after the other and then the
 * containers side by side, each in a subshell that records its start and exit code in
 * {@code state/}; on SIGTERM (cancel, or the activeDeadlineSeconds watchdog) it asks the container
 * runtime to stop its containers; at the end it stops whatever the containers left behind and
 * writes {@code exit}. The exit code is the first failing init container's, else the first failing
 * container's, else 0.
 *
 * <p>Where pod values go, and why none is ever interpreted by a shell:
 * <ul>
 *   <li>Commands, arguments, images, working directories and mount paths are single-quoted words
 *       ({@link Shell#quote}) of the command line that runs the container.</li>
 *   <li>Environment values (plain and Secret) are not in the script: they are {@code export}
 *       lines with single-quoted values in {@code env/NAME.env} (0600), sourced by the container's
 *       subshell; podman and docker take them from there with {@code --env NAME}.</li>
 *   <li>Names that become file names or shell identifiers (containers, volumes, env names) must be
 *       DNS labels or identifiers, and volume file paths must be relative without {@code ..};
 *       anything else is refused with a reason that names it.</li>
 *   <li>Every file travels base64-encoded inside the submit script ({@link RemoteScripts#submit}),
 *       so its content is never part of a command.</li>
 *   <li>Values that a runtime would read as options (an image or working directory starting with
 *       {@code -}) are refused or passed as {@code --option=value}.</li>
 * </ul>
 */
public final class JobBundle {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobBundle() {
    }

    /** A file of the job directory, relative to it, with its permission bits. */
    public record JobFile(String path, byte[] content, int mode) {
        public JobFile {
            Objects.requireNonNull(path, "path");
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        /** The content as text (for tests and messages). */
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "JobFile[" + path + ", " + content.length + " bytes, " + Integer.toOctalString(mode) + "]";
        }
    }

    /**
     * What to create on the VM.
     *
     * @param directories sub-directories to create (0700), parents first
     * @param files       files to write, {@code run.sh} last
     * @param resources   what the pod requests (for placement and the pool's allocatable)
     * @param initNames   init container names, in order
     * @param names       container names
     */
    public record Bundle(List<String> directories, List<JobFile> files, Resources resources, List<String> initNames, List<String> names) {
        public Bundle {
            directories = List.copyOf(directories);
            files = List.copyOf(files);
            initNames = List.copyOf(initNames);
            names = List.copyOf(names);
        }

        /** The file at {@code path}. */
        public Optional<JobFile> file(String path) {
            return files.stream().filter(f -> f.path().equals(path)).findFirst();
        }

        /** The wrapper script. */
        public String wrapper() {
            return file("run.sh").orElseThrow().text();
        }
    }

    /**
     * The job for {@code pod}.
     *
     * @param host       the host's name (stored in the identity file)
     * @param stopGrace  how long containers get between SIGTERM and SIGKILL when stopped
     * @throws BackendException {@code REJECTED} naming what the pod must change
     */
    public static Bundle render(JobIdentity id, PodJob pod, PoolSettings pool, String host, Duration stopGrace) throws BackendException {
        validate(pod, pool);
        Resources resources = Resources.of(pod);
        List<String> dirs = new ArrayList<>(List.of("logs", "state", "env", "volumes"));
        List<JobFile> files = new ArrayList<>();
        files.add(new JobFile("identity", JobLayout.identityFile(id, host).getBytes(StandardCharsets.UTF_8), 0600));
        files.add(new JobFile("resources", resources.toFile().getBytes(StandardCharsets.UTF_8), 0600));
        StringBuilder containers = new StringBuilder();
        pod.initContainers().forEach(c -> containers.append("init ").append(c.name()).append('\n'));
        pod.containers().forEach(c -> containers.append("main ").append(c.name()).append('\n'));
        files.add(new JobFile("containers", containers.toString().getBytes(StandardCharsets.UTF_8), 0600));
        for (VolumeSpec v : pod.volumes()) {
            if (v.kind() == PodJob.VolumeKind.HOST_PATH) {
                continue;
            }
            dirs.add("volumes/" + v.name());
            for (PodJob.FileSpec f : v.files()) {
                String path = "volumes/" + v.name() + "/" + f.path();
                String parent = path.substring(0, path.lastIndexOf('/'));
                addParents(dirs, parent);
                files.add(new JobFile(path, f.content(), 0600));
            }
        }
        for (ContainerSpec c : pod.allContainers()) {
            StringBuilder env = new StringBuilder();
            for (EnvEntry e : c.env()) {
                env.append("export ").append(e.name()).append('=').append(quote(e.value(), "env " + e.name() + " of container " + c.name()))
                        .append('\n');
            }
            files.add(new JobFile("env/" + c.name() + ".env", env.toString().getBytes(StandardCharsets.UTF_8), 0600));
        }
        String wrapper = wrapper(id, pod, pool, stopGrace);
        files.add(new JobFile("run.sh", wrapper.getBytes(StandardCharsets.UTF_8), 0700));
        return new Bundle(dirs, files, resources, pod.initContainers().stream().map(ContainerSpec::name).toList(),
                pod.containers().stream().map(ContainerSpec::name).toList());
    }

    private static void addParents(List<String> dirs, String dir) {
        List<String> chain = new ArrayList<>();
        for (String d = dir; d.contains("/"); d = d.substring(0, d.lastIndexOf('/'))) {
            chain.add(0, d);
        }
        for (String d : chain) {
            if (!dirs.contains(d)) {
                dirs.add(d);
            }
        }
    }

    /** The name podman and docker know a container by: {@code ferry-<uid>-<attempt>-<container>}. */
    public static String containerName(JobIdentity id, String container) {
        return "ferry-" + id.podUid() + "-" + id.attempt() + "-" + container;
    }

    // ------------------------------------------------------------------------------------------ the wrapper

    private static String wrapper(JobIdentity id, PodJob pod, PoolSettings pool, Duration stopGrace) throws BackendException {
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/sh\n");
        s.append("# generated by Ferry for pod ").append(id.podDisplayName()).append(" (uid ").append(id.podUid()).append(", attempt ")
                .append(id.attempt()).append(") of site ").append(id.site()).append(", pool ").append(id.pool()).append(", runtime ")
                .append(pool.runtime()).append('\n');
        s.append("# every value that comes from the pod is one single-quoted word; environment values are in env/*.env\n");
        s.append("set -u\n");
        s.append("umask 077\n");
        s.append("FERRY_POD_DIR=$(pwd -P) || exit 120\n");
        s.append("export FERRY_POD_DIR\n");
        s.append("ferry_now() {\n");
        s.append("  ferry_t=$(date +%s%3N 2>/dev/null)\n");
        s.append("  case \"$ferry_t\" in ''|*[!0-9]*) ferry_t=$(($(date +%s) * 1000)) ;; esac\n");
        s.append("  echo \"$ferry_t\"\n");
        s.append("}\n");
        s.append("ferry_put() { printf '%s\\n' \"$2\" >\"$FERRY_POD_DIR/$1.tmp\" && mv -f \"$FERRY_POD_DIR/$1.tmp\" \"$FERRY_POD_DIR/$1\"; }\n");
        s.append("read -r ferry_stat </proc/$$/stat\n");
        s.append("set -- ${ferry_stat##*) }\n");
        s.append("ferry_put pid \"$$ ${20}\"\n");
        s.append("ferry_put started \"$(ferry_now)\"\n");
        s.append("ferry_stopping=0\n");
        s.append("ferry_stop() {\n");
        s.append("  [ \"$ferry_stopping\" = 1 ] && return 0\n");
        s.append("  ferry_stopping=1\n");
        if (pool.runtime().equals("podman") || pool.runtime().equals("docker")) {
            long grace = Math.max(1, stopGrace.toSeconds() - 1);
            for (ContainerSpec c : pod.allContainers()) {
                s.append("  ").append(Shell.quoteAll(List.of(pool.runtime(), "stop", "--time=" + grace, containerName(id, c.name()))))
                        .append(" >/dev/null 2>&1 </dev/null &\n");
                s.append("  ferry_stoppers=\"$ferry_stoppers $!\"\n");
            }
        }
        s.append("  return 0\n");
        s.append("}\n");
        s.append("ferry_stoppers=\n");
        s.append("trap ferry_stop TERM INT HUP\n");
        s.append("[ -e \"$FERRY_POD_DIR/cancelled\" ] && ferry_stopping=1\n");
        s.append("ferry_wait() {\n");
        s.append("  for ferry_p in \"$@\"; do\n");
        s.append("    while :; do\n");
        s.append("      wait \"$ferry_p\"; ferry_r=$?\n");
        s.append("      if [ \"$ferry_r\" -gt 128 ] && kill -0 \"$ferry_p\" 2>/dev/null; then continue; fi\n");
        s.append("      break\n");
        s.append("    done\n");
        s.append("  done\n");
        s.append("}\n");
        s.append("ferry_run() {\n");
        s.append("  ferry_put \"state/$1.started\" \"$(ferry_now)\"\n");
        s.append("  (\n");
        s.append("    trap : TERM INT HUP\n");
        s.append("    ( \"$2\" ) >\"$FERRY_POD_DIR/logs/$1.stdout\" 2>\"$FERRY_POD_DIR/logs/$1.stderr\" </dev/null\n");
        s.append("    ferry_put \"state/$1.exit\" \"$? $(ferry_now)\"\n");
        s.append("  ) &\n");
        s.append("  ferry_last=$!\n");
        s.append("}\n");
        s.append("ferry_rc_of() { ferry_rc=1; [ -f \"$FERRY_POD_DIR/state/$1.exit\" ] && read -r ferry_rc _ <\"$FERRY_POD_DIR/state/$1.exit\"; }\n");
        List<ContainerSpec> all = pod.allContainers();
        for (int i = 0; i < all.size(); i++) {
            ContainerSpec c = all.get(i);
            s.append("ferry_c").append(i).append("() {\n");
            s.append("  . \"$FERRY_POD_DIR/env/").append(c.name()).append(".env\"\n");
            s.append(body(id, pod, c, pool));
            s.append("}\n");
        }
        if (pod.activeDeadline().isPresent()) {
            long seconds = pod.activeDeadline().get().toSeconds();
            if (seconds <= 0) {
                throw BackendException.rejected("InvalidPod", "activeDeadlineSeconds must be positive");
            }
            s.append("# activeDeadlineSeconds\n");
            s.append("( sleep ").append(seconds).append(" && ferry_put deadline \"$(ferry_now)\" && kill -TERM \"-$$\" ) </dev/null >/dev/null 2>&1 &\n");
        }
        s.append("ferry_code=0\n");
        int index = 0;
        for (ContainerSpec c : pod.initContainers()) {
            String name = Shell.quote(c.name());
            s.append("if [ \"$ferry_code\" = 0 ] && [ \"$ferry_stopping\" = 0 ]; then\n");
            s.append("  ferry_run ").append(name).append(" ferry_c").append(index++).append('\n');
            s.append("  ferry_wait \"$ferry_last\"\n");
            s.append("  ferry_rc_of ").append(name).append('\n');
            s.append("  [ \"$ferry_rc\" = 0 ] || ferry_code=$ferry_rc\n");
            s.append("fi\n");
        }
        s.append("if [ \"$ferry_code\" = 0 ] && [ \"$ferry_stopping\" = 0 ]; then\n");
        s.append("  ferry_pids=\n");
        for (ContainerSpec c : pod.containers()) {
            s.append("  ferry_run ").append(Shell.quote(c.name())).append(" ferry_c").append(index++).append('\n');
            s.append("  ferry_pids=\"$ferry_pids $ferry_last\"\n");
        }
        s.append("  ferry_wait $ferry_pids\n");
        s.append("  for ferry_n in");
        for (ContainerSpec c : pod.containers()) {
            s.append(' ').append(Shell.quote(c.name()));
        }
        s.append("; do\n");
        s.append("    ferry_rc_of \"$ferry_n\"\n");
        s.append("    if [ \"$ferry_code\" = 0 ] && [ \"$ferry_rc\" != 0 ]; then ferry_code=$ferry_rc; fi\n");
        s.append("  done\n");
        s.append("fi\n");
        s.append("if [ \"$ferry_stopping\" = 1 ] && [ \"$ferry_code\" = 0 ]; then ferry_code=143; fi\n");
        if (pool.runtime().equals("podman") || pool.runtime().equals("docker")) {
            // a runtime client that got SIGTERM may have left its container running: wait for the stops, then make sure
            s.append("if [ \"$ferry_stopping\" = 1 ]; then\n");
            s.append("  ferry_wait $ferry_stoppers\n");
            for (ContainerSpec c : pod.allContainers()) {
                List<String> rm = pool.runtime().equals("podman")
                        ? List.of("podman", "rm", "--force", "--time=1", containerName(id, c.name()))
                        : List.of("docker", "rm", "--force", containerName(id, c.name()));
                s.append("  ").append(Shell.quoteAll(rm)).append(" >/dev/null 2>&1 </dev/null\n");
            }
            s.append("fi\n");
        }
        s.append("# the pod is over: stop whatever its containers left behind (and the deadline watchdog), then record the end\n");
        s.append("trap '' TERM INT HUP\n");
        s.append("kill -TERM 0 2>/dev/null\n");
        s.append("ferry_put exit \"$ferry_code $(ferry_now)\"\n");
        s.append("exit \"$ferry_code\"\n");
        return s.toString();
    }

    /** The lines of a container's function: optional cd, then {@code exec} of the runtime's command line. */
    private static String body(JobIdentity id, PodJob pod, ContainerSpec c, PoolSettings pool) throws BackendException {
        StringBuilder b = new StringBuilder();
        String what = "container " + c.name();
        List<String> words = new ArrayList<>();
        boolean gpus = Resources.of(pod).gpus() > 0;
        switch (pool.runtime()) {
            case "host" -> {
                if (c.command().isEmpty() && c.args().isEmpty()) {
                    throw BackendException.rejected("InvalidPod", what + " has no command: pool " + pool.name()
                            + " runs containers with the 'host' runtime, which runs the command directly and cannot know the image's entrypoint");
                }
                if (c.workingDir().isPresent()) {
                    b.append("  cd -- ").append(quote(c.workingDir().get(), "workingDir of " + what)).append(" || exit 127\n");
                }
                words.addAll(c.command());
                words.addAll(c.args());
                b.append("  exec").append(quoteWords(words, what)).append('\n');
                return b.toString();
            }
            case "podman", "docker" -> {
                String runtime = pool.runtime();
                words.add(runtime);
                if (runtime.equals("podman")) {
                    words.add("--log-level=error");
                }
                words.addAll(List.of("run", "--rm", "--name=" + containerName(id, c.name())));
                words.addAll(pool.runtimeOptions());
                if (gpus) {
                    words.addAll(pool.gpuOptions());
                }
                if (pool.enforceLimits()) {
                    limitOptions(c, words);
                }
                for (EnvEntry e : c.env()) {
                    words.add("--env=" + e.name());
                }
                c.workingDir().ifPresent(dir -> words.add("--workdir=" + dir));
                StringBuilder line = new StringBuilder("  exec").append(quoteWords(words, what));
                // volume sources live in the pod directory, known only on the VM: "$FERRY_POD_DIR" + a quoted rest
                for (MountSpec m : c.mounts()) {
                    line.append(' ').append(quote("--volume=", what)).append(mountSource(pod, m, what)).append(quote(":" + m.mountPath()
                            + (m.readOnly() ? ":ro" : ""), what));
                }
                List<String> tail = new ArrayList<>();
                List<String> cmd = c.command();
                if (runtime.equals("podman")) {
                    if (!cmd.isEmpty()) {
                        tail.add("--entrypoint=" + json(cmd));
                    }
                    if (c.image().startsWith("/")) {
                        tail.add("--rootfs");
                    }
                    tail.add(c.image());
                } else {
                    if (!cmd.isEmpty()) {
                        tail.add("--entrypoint=" + cmd.get(0));
                    }
                    tail.add(c.image());
                    if (cmd.size() > 1) {
                        tail.addAll(cmd.subList(1, cmd.size()));
                    }
                }
                tail.addAll(c.args());
                line.append(quoteWords(tail, what));
                b.append(line).append('\n');
                return b.toString();
            }
            case "apptainer" -> {
                words.add("apptainer");
                words.add(c.command().isEmpty() ? "run" : "exec");
                words.addAll(pool.runtimeOptions());
                if (gpus) {
                    words.addAll(pool.gpuOptions());
                }
                c.workingDir().ifPresent(dir -> words.add("--pwd=" + dir));
                StringBuilder line = new StringBuilder("  exec").append(quoteWords(words, what));
                for (MountSpec m : c.mounts()) {
                    line.append(' ').append(quote("--bind=", what)).append(mountSource(pod, m, what)).append(quote(":" + m.mountPath()
                            + (m.readOnly() ? ":ro" : ""), what));
                }
                List<String> tail = new ArrayList<>();
                tail.add(apptainerImage(c.image()));
                tail.addAll(c.command());
                tail.addAll(c.args());
                line.append(quoteWords(tail, what));
                b.append(line).append('\n');
                return b.toString();
            }
            default -> throw new IllegalStateException("unknown runtime " + pool.runtime());
        }
    }

    private static void limitOptions(ContainerSpec c, List<String> words) throws BackendException {
        String cpu = c.limits().get("cpu");
        String mem = c.limits().get("memory");
        try {
            if (cpu != null) {
                long milli = Quantities.milliCpu(cpu);
                words.add("--cpus=" + (milli / 1000) + "." + String.format("%03d", milli % 1000));
            }
            if (mem != null) {
                words.add("--memory=" + Quantities.bytes(mem) + "b");
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw BackendException.rejected("InvalidResource", "container " + c.name() + ": " + e.getMessage());
        }
    }

    private static String json(List<String> words) {
        try {
            return JSON.writeValueAsString(words);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String apptainerImage(String image) {
        if (image.startsWith("/") || image.contains("://") || image.endsWith(".sif")) {
            return image;
        }
        return "docker://" + image;
    }

    /** {@code "$FERRY_POD_DIR"'/volumes/NAME[/SUB]'}, or the quoted hostPath. */
    private static String mountSource(PodJob pod, MountSpec m, String what) throws BackendException {
        VolumeSpec v = pod.volumes().stream().filter(x -> x.name().equals(m.volume())).findFirst().orElseThrow();
        String sub = m.subPath().map(p -> "/" + p).orElse("");
        if (v.kind() == PodJob.VolumeKind.HOST_PATH) {
            return quote(v.source().orElseThrow() + sub, what);
        }
        return "\"$FERRY_POD_DIR\"" + quote("/volumes/" + v.name() + sub, what);
    }

    private static String quoteWords(List<String> words, String what) throws BackendException {
        StringBuilder out = new StringBuilder();
        for (String w : words) {
            out.append(' ').append(quote(w, what));
        }
        return out.toString();
    }

    private static String quote(String value, String what) throws BackendException {
        try {
            return Shell.quote(value);
        } catch (IllegalArgumentException e) {
            throw BackendException.rejected("InvalidPod", what + " " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------ validation

    private static void validate(PodJob pod, PoolSettings pool) throws BackendException {
        if (pod.containers().isEmpty()) {
            throw BackendException.rejected("InvalidPod", "the pod has no containers");
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
            List<String> values = new ArrayList<>(c.command());
            values.addAll(c.args());
            values.add(c.image());
            c.workingDir().ifPresent(values::add);
            c.env().forEach(e -> values.add(e.value()));
            if (values.stream().anyMatch(v -> v.indexOf('\0') >= 0)) {
                throw BackendException.rejected("InvalidPod", "container " + c.name()
                        + ": its command, args, image, workingDir or env contain a NUL character, which cannot be passed to a program");
            }
            for (EnvEntry e : c.env()) {
                if (!ENV_NAME.matcher(e.name()).matches()) {
                    throw BackendException.rejected("InvalidEnv", "env '" + Printable.of(e.name()) + "' of container " + c.name()
                            + ": the VM backend passes only names of letters, digits and '_' (not starting with a digit)");
                }
            }
            if (!pool.runtime().equals("host")) {
                if (c.image().isBlank()) {
                    throw BackendException.rejected("InvalidPod", "container " + c.name() + " needs an image: pool " + pool.name()
                            + " runs containers with " + pool.runtime());
                }
                if (c.image().startsWith("-") || c.image().chars().anyMatch(ch -> ch < 0x21 || ch == 0x7f)) {
                    throw BackendException.rejected("InvalidImage", "image '" + Printable.of(c.image()) + "' of container " + c.name()
                            + " must not start with '-' or contain spaces or control characters");
                }
                if (pool.runtime().equals("docker") && c.image().startsWith("/")) {
                    throw BackendException.rejected("InvalidImage", "image '" + Printable.of(c.image()) + "' of container " + c.name()
                            + " is a path: only podman (--rootfs) and apptainer run an image from a path");
                }
            }
            for (MountSpec m : c.mounts()) {
                Optional<VolumeSpec> v = pod.volumes().stream().filter(x -> x.name().equals(m.volume())).findFirst();
                if (v.isEmpty()) {
                    throw BackendException.rejected("InvalidPod", "container " + c.name() + " mounts volume '" + Printable.of(m.volume())
                            + "', which the pod does not have");
                }
                if (!m.mountPath().startsWith("/") || m.mountPath().contains(":") || m.mountPath().contains(",")
                        || m.mountPath().contains("\n")) {
                    throw BackendException.rejected("InvalidPod", "mountPath '" + Printable.of(m.mountPath()) + "' of container " + c.name()
                            + " must be an absolute path without ':', ',' or line breaks");
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
                        + " is of a kind the VM backend cannot provide (emptyDir, configMap, secret, projected, downwardAPI and,"
                        + " where the pool allows it, hostPath work)");
                case HOST_PATH -> {
                    if (!pool.allowHostPath()) {
                        throw BackendException.rejected("UnsupportedVolume", "volume " + v.name() + " is a hostPath, which pool "
                                + pool.name() + " does not allow (backend.vm.pools[].allowHostPath)");
                    }
                    String src = v.source().orElse("");
                    if (!src.startsWith("/") || src.contains(":") || src.contains(",") || src.contains("\n")) {
                        throw BackendException.rejected("InvalidPod", "hostPath of volume " + v.name()
                                + " must be an absolute path without ':', ',' or line breaks");
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
        if (pod.activeDeadline().isPresent() && pool.maxWalltime() != null
                && pod.activeDeadline().get().compareTo(pool.maxWalltime()) > 0) {
            throw BackendException.rejected("DeadlineTooLong", "activeDeadlineSeconds " + pod.activeDeadline().get().toSeconds()
                    + " is longer than pool " + pool.name() + " allows (" + pool.maxWalltime().toSeconds() + " s)");
        }
    }

    private static boolean safeRelative(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.contains("\0") || path.contains(":") || path.contains("\n")) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.equals("..") || part.equals(".") || part.isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
