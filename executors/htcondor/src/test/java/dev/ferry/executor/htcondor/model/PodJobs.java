package dev.ferry.executor.htcondor.model;

import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.ContainerSpec;
import dev.ferry.executor.spi.PodJob.EnvEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builders for the backend's view of a pod ({@link PodJob}), for the HTCondor backend's tests. */
public final class PodJobs {

    private final List<ContainerSpec> init = new ArrayList<>();
    private final List<ContainerSpec> main = new ArrayList<>();
    private final List<PodJob.VolumeSpec> volumes = new ArrayList<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private Duration deadline;

    public static PodJobs pod() {
        return new PodJobs();
    }

    public static JobIdentity identity(String site, String uid, String pool) {
        return new JobIdentity(site, uid, "default", "pod-" + uid.substring(0, Math.min(8, uid.length())), 0, pool);
    }

    public static ContainerSpec container(String name, List<String> command, List<String> args, List<EnvEntry> env) {
        return new ContainerSpec(name, "busybox:1.36", command, args, env, Optional.empty(), Map.of(), Map.of(), List.of());
    }

    public PodJobs main(String name, List<String> command, String... args) {
        main.add(container(name, command, List.of(args), List.of()));
        return this;
    }

    public PodJobs main(ContainerSpec c) {
        main.add(c);
        return this;
    }

    public PodJobs init(String name, List<String> command, String... args) {
        init.add(container(name, command, List.of(args), List.of()));
        return this;
    }

    public PodJobs volume(PodJob.VolumeSpec v) {
        volumes.add(v);
        return this;
    }

    public PodJobs annotation(String key, String value) {
        annotations.put(key, value);
        return this;
    }

    public PodJobs deadline(Duration d) {
        deadline = d;
        return this;
    }

    public PodJob build() {
        return new PodJob(Map.of(), annotations, init, main, volumes, Optional.ofNullable(deadline), "Never");
    }
}
