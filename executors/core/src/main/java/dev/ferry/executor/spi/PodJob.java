package dev.ferry.executor.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The pod as a backend must run it, with every value resolved: Secret values are already
 * unsealed (so a backend must write them only to files only the job's user can read), env
 * references expanded.
 *
 * @param labels          the pod's labels
 * @param annotations     the pod's annotations (backends read their own, e.g. {@code slurm-job.vk.io/flags})
 * @param initContainers  run one after the other, each to success, before the containers
 * @param containers      run side by side; the pod succeeds when all exit 0
 * @param volumes         the volumes the containers mount
 * @param activeDeadline  the pod's {@code activeDeadlineSeconds}, the job's wall-time limit
 * @param restartPolicy   the pod's restart policy (backends run each container once; Always is treated as Never)
 */
public record PodJob(
        Map<String, String> labels,
        Map<String, String> annotations,
        List<ContainerSpec> initContainers,
        List<ContainerSpec> containers,
        List<VolumeSpec> volumes,
        Optional<Duration> activeDeadline,
        String restartPolicy) {

    public PodJob {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        initContainers = List.copyOf(initContainers);
        containers = List.copyOf(containers);
        volumes = List.copyOf(volumes);
        Objects.requireNonNull(activeDeadline, "activeDeadline");
        Objects.requireNonNull(restartPolicy, "restartPolicy");
    }

    /** The resource names counted as GPUs. */
    public static final List<String> GPU_RESOURCES = List.of("nvidia.com/gpu", "amd.com/gpu", "gpu");

    /**
     * Kubernetes' effective pod request of {@code resource}: the larger of the sum over the containers and the
     * largest init container; a container's limit counts where it has one, else its request.
     *
     * @param parse the quantity's value in the unit wanted (e.g. {@code Quantities::milliCpu})
     * @throws BackendException {@code REJECTED} ({@code InvalidResource}) naming the container and the quantity
     */
    public long effective(String resource, ToLongFunction<String> parse) throws BackendException {
        long sum = 0;
        for (ContainerSpec c : containers) {
            sum += c.quantity(resource, parse);
        }
        long initMax = 0;
        for (ContainerSpec c : initContainers) {
            initMax = Math.max(initMax, c.quantity(resource, parse));
        }
        return Math.max(sum, initMax);
    }

    /** The effective GPUs: {@link #effective} summed over {@link #GPU_RESOURCES}. */
    public long effectiveGpus(ToLongFunction<String> parse) throws BackendException {
        long total = 0;
        for (String resource : GPU_RESOURCES) {
            total += effective(resource, parse);
        }
        return total;
    }

    /** Init containers first, then the containers, as they run. */
    public List<ContainerSpec> allContainers() {
        return java.util.stream.Stream.concat(initContainers.stream(), containers.stream()).toList();
    }

    /** One container. */
    public record ContainerSpec(
            String name,
            String image,
            List<String> command,
            List<String> args,
            List<EnvEntry> env,
            Optional<String> workingDir,
            Map<String, String> requests,
            Map<String, String> limits,
            List<MountSpec> mounts) {
        public ContainerSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(image, "image");
            command = List.copyOf(command);
            args = List.copyOf(args);
            env = List.copyOf(env);
            Objects.requireNonNull(workingDir, "workingDir");
            requests = Map.copyOf(requests);
            limits = Map.copyOf(limits);
            mounts = List.copyOf(mounts);
        }

        /** This container's limit of {@code resource}, else its request, else 0. */
        long quantity(String resource, ToLongFunction<String> parse) throws BackendException {
            String q = (limits.containsKey(resource) ? limits : requests).get(resource);
            if (q == null) {
                return 0;
            }
            try {
                return parse.applyAsLong(q);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw BackendException.rejected("InvalidResource", "container " + name + ": " + resource + " "
                        + e.getMessage());
            }
        }
    }

    /** One environment variable; {@code secret} when its value came from a Secret. */
    public record EnvEntry(String name, String value, boolean secret) {
        public EnvEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return name + "=" + (secret ? "<secret>" : value);
        }
    }

    /** A volume mounted into a container. */
    public record MountSpec(String volume, String mountPath, boolean readOnly, Optional<String> subPath) {
        public MountSpec {
            Objects.requireNonNull(volume, "volume");
            Objects.requireNonNull(mountPath, "mountPath");
            Objects.requireNonNull(subPath, "subPath");
        }
    }

    /** What a volume is. */
    public enum VolumeKind {
        EMPTY_DIR,
        CONFIG_MAP,
        SECRET,
        PROJECTED,
        DOWNWARD_API,
        HOST_PATH,
        UNSUPPORTED
    }

    /**
     * A volume; for ConfigMap, Secret, projected and downward-API volumes the files are resolved,
     * for a host path {@code source} is the path.
     */
    public record VolumeSpec(String name, VolumeKind kind, Optional<String> source, List<FileSpec> files) {
        public VolumeSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(source, "source");
            files = List.copyOf(files);
        }
    }

    /** One file of a volume, at a path relative to the volume's root. */
    public record FileSpec(String path, byte[] content, boolean secret) {
        public FileSpec {
            Objects.requireNonNull(path, "path");
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FileSpec f && f.path.equals(path) && f.secret == secret && java.util.Arrays.equals(f.content, content);
        }

        @Override
        public int hashCode() {
            return path.hashCode() * 31 + java.util.Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "FileSpec[" + path + ", " + content.length + " bytes" + (secret ? ", secret" : "") + "]";
        }
    }
}
