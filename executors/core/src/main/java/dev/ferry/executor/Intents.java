package dev.ferry.executor;

import dev.ferry.events.Container;
import dev.ferry.events.EnvVar;
import dev.ferry.events.JobCommand;
import dev.ferry.events.PodIntent;
import dev.ferry.events.PodSpecSnapshot;
import dev.ferry.events.SealedValue;
import dev.ferry.events.Volume;
import dev.ferry.events.VolumeFile;
import dev.ferry.events.VolumeMount;
import dev.ferry.executor.model.Unsealer;
import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns a RUN command's Avro intent into the backend's {@link PodJob}, opening sealed Secret
 * values on the way. Pure apart from the keys it is given.
 */
public final class Intents {

    private Intents() {
    }

    /** The job identity of a RUN or CANCEL command for {@code site}. */
    public static JobIdentity identity(String site, JobCommand command) throws InvalidPodException {
        String pool = poolName(site, command.getPoolId());
        try {
            return new JobIdentity(site, command.getPod().getUid(), command.getPod().getNamespace(), command.getPod().getName(),
                    command.getAttempt(), pool);
        } catch (IllegalArgumentException e) {
            throw new InvalidPodException("InvalidPod", "cannot run pod here: " + e.getMessage());
        }
    }

    /** The backend-local pool name in a pool id: {@code hpc-a/debug} → {@code debug}. */
    public static String poolName(String site, String poolId) {
        String prefix = site + "/";
        return poolId != null && poolId.startsWith(prefix) ? poolId.substring(prefix.length()) : poolId;
    }

    /** The pool id the runtime advertises for a backend pool. */
    public static String poolId(String site, String poolName) {
        return site + "/" + poolName;
    }

    /** The pod to run, from a RUN command. */
    public static PodJob podJob(JobCommand command, Unsealer unsealer) throws InvalidPodException {
        PodIntent intent = command.getIntent();
        if (intent == null || intent.getSpec() == null) {
            throw new InvalidPodException("InvalidCommand", "the RUN command carries no pod spec (intent or intent.spec is missing)");
        }
        PodSpecSnapshot spec = intent.getSpec();
        if (spec.getContainers().isEmpty()) {
            throw new InvalidPodException("InvalidPod", "the pod has no containers");
        }
        List<PodJob.ContainerSpec> init = new ArrayList<>();
        for (Container c : spec.getInitContainers()) {
            init.add(container(c, unsealer));
        }
        List<PodJob.ContainerSpec> containers = new ArrayList<>();
        for (Container c : spec.getContainers()) {
            containers.add(container(c, unsealer));
        }
        List<PodJob.VolumeSpec> volumes = new ArrayList<>();
        for (Volume v : spec.getVolumes()) {
            volumes.add(volume(v, unsealer));
        }
        Optional<Duration> deadline = Optional.ofNullable(spec.getActiveDeadlineSeconds()).map(Duration::ofSeconds);
        String restart = switch (spec.getRestartPolicy()) {
            case ALWAYS -> "Always";
            case ON_FAILURE -> "OnFailure";
            case NEVER -> "Never";
        };
        return new PodJob(intent.getLabels(), intent.getAnnotations(), init, containers, volumes, deadline, restart);
    }

    private static PodJob.ContainerSpec container(Container c, Unsealer unsealer) throws InvalidPodException {
        List<PodJob.EnvEntry> env = new ArrayList<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getSealed() != null) {
                byte[] plain = open(e.getSealed(), unsealer, "env " + e.getName() + " of container " + c.getName());
                env.add(new PodJob.EnvEntry(e.getName(), new String(plain, StandardCharsets.UTF_8), true));
            } else {
                env.add(new PodJob.EnvEntry(e.getName(), e.getValue() == null ? "" : e.getValue(), false));
            }
        }
        List<PodJob.MountSpec> mounts = new ArrayList<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            mounts.add(new PodJob.MountSpec(m.getName(), m.getMountPath(), m.getReadOnly(), Optional.ofNullable(m.getSubPath())));
        }
        return new PodJob.ContainerSpec(c.getName(), c.getImage(), c.getCommand(), c.getArgs(), env,
                Optional.ofNullable(c.getWorkingDir()), c.getRequests(), c.getLimits(), mounts);
    }

    private static PodJob.VolumeSpec volume(Volume v, Unsealer unsealer) throws InvalidPodException {
        List<PodJob.FileSpec> files = new ArrayList<>();
        boolean secretVolume = v.getKind() == dev.ferry.events.VolumeKind.SECRET;
        for (VolumeFile f : v.getFiles()) {
            if (f.getSealed() != null) {
                files.add(new PodJob.FileSpec(f.getPath(), open(f.getSealed(), unsealer, "file " + f.getPath() + " of volume " + v.getName()), true));
            } else {
                files.add(new PodJob.FileSpec(f.getPath(), f.getContent() == null ? new byte[0] : bytes(f.getContent()), secretVolume));
            }
        }
        PodJob.VolumeKind kind = switch (v.getKind()) {
            case EMPTY_DIR -> PodJob.VolumeKind.EMPTY_DIR;
            case CONFIG_MAP -> PodJob.VolumeKind.CONFIG_MAP;
            case SECRET -> PodJob.VolumeKind.SECRET;
            case PROJECTED -> PodJob.VolumeKind.PROJECTED;
            case DOWNWARD_API -> PodJob.VolumeKind.DOWNWARD_API;
            case HOST_PATH -> PodJob.VolumeKind.HOST_PATH;
            case UNSUPPORTED -> PodJob.VolumeKind.UNSUPPORTED;
        };
        return new PodJob.VolumeSpec(v.getName(), kind, Optional.ofNullable(v.getSource()), files);
    }

    private static byte[] open(SealedValue sealed, Unsealer unsealer, String what) throws InvalidPodException {
        Unsealer.Result result = unsealer.open(sealed.getKeyId(), sealed.getAlgorithm(), bytes(sealed.getNonce()), bytes(sealed.getCiphertext()));
        if (result.error().isPresent()) {
            throw new InvalidPodException("SecretUnavailable", what + " is " + result.error().get());
        }
        return result.plaintext().orElseThrow();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
