package dev.ferry.executor.vm;

import dev.ferry.executor.spi.JobIdentity;
import dev.ferry.executor.spi.JobRequest;
import dev.ferry.executor.spi.PodJob;
import dev.ferry.executor.spi.PodJob.ContainerSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Builds the backend's view of a pod ({@link PodJob}) for tests. */
public final class TestPods {
    private final List<ContainerSpec> init = new ArrayList<>();
    private final List<ContainerSpec> containers = new ArrayList<>();
    private final List<PodJob.VolumeSpec> volumes = new ArrayList<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private Optional<Duration> deadline = Optional.empty();

    public static TestPods pod() {
        return new TestPods();
    }

    /** A container running {@code sh -c script}. */
    public static ContainerSpec sh(String name, String image, String script) {
        return container(name, image, List.of("sh", "-c", script), List.of(), List.of());
    }

    public static ContainerSpec container(String name, String image, List<String> command, List<String> args, List<PodJob.EnvEntry> env) {
        return new ContainerSpec(name, image, command, args, env, Optional.empty(), Map.of(), Map.of(), List.of());
    }

    public TestPods init(ContainerSpec c) {
        init.add(c);
        return this;
    }

    public TestPods main(ContainerSpec c) {
        containers.add(c);
        return this;
    }

    public TestPods volume(PodJob.VolumeSpec v) {
        volumes.add(v);
        return this;
    }

    public TestPods annotation(String key, String value) {
        annotations.put(key, value);
        return this;
    }

    public TestPods deadline(Duration d) {
        deadline = Optional.of(d);
        return this;
    }

    public PodJob build() {
        return new PodJob(Map.of(), annotations, init, containers, volumes, deadline, "Never");
    }

    /** A fresh identity for {@code site}, pool {@code pool}. */
    public static JobIdentity identity(String site, String pool) {
        return new JobIdentity(site, UUID.randomUUID().toString(), "team-a", "pod-" + UUID.randomUUID().toString().substring(0, 8), 0, pool);
    }

    public JobRequest request(JobIdentity id) {
        return new JobRequest(id, build());
    }
}
